"""Settings of the benchmark's server: the product's own settings (and so its database, from
DATABASE_URL), with one extra URL for the ceiling view (bench/server_urls.py) and report limits
no load test can reach. Never used by the product."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"

# The intake measurement is a load test: 16 clients (each from an address of its own, 127.0.1.N)
# posting thousands of reports; the product's limits (20 an hour) would refuse all but the first
# 20 of each and measure refusals. Raised out of reach, not switched off, so that every report is still checked and
# counted as in the product.
GRIDGOV_REPORT_RATE_PER_ADDRESS = 10**9
GRIDGOV_REPORT_RATE_PER_PHONE = 10**9
GRIDGOV_REPORT_REFUSED_PER_ADDRESS = 10**9
