"""Settings of the benchmark's server: the product's own settings (and so its database, from
DATABASE_URL), with one extra URL for the ceiling view (bench/server_urls.py). Never used by the
product."""

from gridgov.settings import *  # noqa: F403

ROOT_URLCONF = "bench.server_urls"
