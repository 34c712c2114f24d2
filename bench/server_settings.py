"""Settings of the benchmark's server: the product's own settings (and so its database, from
DATABASE_URL), with one extra URL for the ceiling view (bench/server_urls.py) and the report
limits off. Never used by the product."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"

# The intake measurement is a load test from one address (127.0.0.1) posting thousands of
# reports: the per-address and per-phone report limits would refuse all but the first 20 of an
# hour and measure refusals instead of reports. Switched off here, never in the product.
GRIDGOV_REPORT_RATE_PER_ADDRESS = 0
GRIDGOV_REPORT_RATE_PER_PHONE = 0
