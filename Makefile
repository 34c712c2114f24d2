# gridgov: `make demo` runs the platform with the Xinjing demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GRIDGOV := $(BIN)/gridgov
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: demo test install install-test assets browser serve bench bench-cases bench-basemap clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The platform alone (make demo, make serve); the test tools on top of it (make test).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed assets
install-test: $(VENV)/.installed-test assets

# Browser libraries the pages use beyond Leaflet (ECharts for the dashboard's charts), from the npm
# registry at the versions assets/package-lock.json pins (checked against its hashes), copied into
# assets/static/: git-ignored, collected by Django's staticfiles as /static/echarts/...
ASSETS := assets/static
$(ASSETS)/.installed: assets/package.json assets/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm (Node.js) fetches the dashboard's ECharts: on Debian apt-get install npm"; exit 1; }
	cd assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p $(ASSETS)/echarts
	cp assets/node_modules/echarts/dist/echarts.common.min.js assets/node_modules/echarts/LICENSE \
		assets/node_modules/echarts/NOTICE \
		$(ASSETS)/echarts/
	touch $@

assets: $(ASSETS)/.installed

demo: export GRIDGOV_DEMO := 1
demo: install
	$(GRIDGOV) migrate --noinput
	$(GRIDGOV) createcachetable
	$(GRIDGOV) collectstatic --noinput --verbosity 0
	$(GRIDGOV) load_demo
	$(MAKE) --no-print-directory serve

# Workers, threads and the rest: gridgov/gunicorn.py (the same for the benchmarks and production).
serve:
	$(BIN)/gunicorn -c python:gridgov.gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile -

# Debian's Chromium drives the browser test; installed here when missing (needs root and apt).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# With GRIDGOV_TEST_DATABASE_URL set (postgres://...), the same suite runs on PostgreSQL.
test: install-test browser
	@DATABASE_URL="$${GRIDGOV_TEST_DATABASE_URL:-}" $(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing"; fi; exit $$status

bench: install
	$(BIN)/python bench/grid_lookup.py

# Cases on DB=sqlite|postgres (PostgreSQL: 127.0.0.1:5432 as postgres) at SIZE=town (40,000
# cases) or city (1,000,000); ARGS=--reuse keeps the data set of the previous run.
DB ?= sqlite
SIZE ?= town
bench-cases: install
	$(BIN)/python bench/cases.py --db $(DB) --size $(SIZE) $(ARGS)

# The base map (50,000 features) and address register (200,000 addresses) on DB=sqlite|postgres.
bench-basemap: install
	$(BIN)/python bench/basemap.py --db $(DB) $(ARGS)

clean:
	rm -rf $(VENV) var build *.egg-info assets/node_modules $(ASSETS)
