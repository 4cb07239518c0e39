# gridgov: `make demo` runs the demo district, `make test` runs the whole test suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/gridgov/web/static/vendor
HOST ?= 127.0.0.1
# Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto
PORT ?= 8000

.PHONY: demo test test-suite test-dates install vendor lint typecheck bench serve clean messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet $(VENDOR)/echarts $(VENDOR)/fonts $(VENDOR)/axe-core
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	# axe-core: injected by the browser tests (tests/browser/test_contrast.py), loaded by no page.
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/
	cp node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf \
	   node_modules/@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf $(VENDOR)/fonts/
	touch $(VENDOR)/.installed

vendor: $(VENDOR)/.installed

demo: install vendor
	$(BIN)/gridgov demo --host $(HOST) --port $(PORT)

serve: install vendor
	$(BIN)/gridgov migrate --no-input
	$(BIN)/gridgov serve --host $(HOST) --port $(PORT)

test: install vendor
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_cycles.py --max 0
	$(BIN)/python scripts/no_objects_in_views.py
	$(BIN)/mypy src/gridgov
	$(MAKE) --no-print-directory test-suite

# The tests alone (no linters: they do not depend on the database); CI's PostgreSQL pass.
# --dist loadgroup: tests marked xdist_group("…") run in one process (tests/multiproc starts its
# cluster of servers, receivers and workers once); the others are handed out as before.
test-suite: install vendor
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --durations=25

# The date-sensitive tests (marker `dates`) again at each of these moments (China time): every
# day 1–8 of a month, 28/29 February, 31 December and 1–2 January, the first working day after
# the Spring Festival, 1 March 2026 (HJ 633-2026 in force), a Sunday at 23:59.
TEST_DATES ?= 2026-12-01T00:05,2026-12-02T09:00,2026-12-03T09:00,2026-12-04T08:00,\
2026-12-05T12:00,2026-12-06T09:00,2026-12-07T09:00,2026-12-08T17:30,2027-02-28T09:00,\
2028-02-29T09:00,2026-12-31T23:30,2027-01-01T09:00,2027-01-02T09:00,2026-02-24T08:30,\
2026-03-01T09:00,2026-12-06T23:59
test-dates: install vendor
	GRIDGOV_TEST_DATES="$(TEST_DATES)" $(BIN)/pytest -n $(TEST_WORKERS) -m dates

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy src/gridgov

# The city simulation (bench/city_sim.py: PostgreSQL, Redis and HAProxy on this machine): a short
# run by default; `make bench CITY_SIM=` runs the full one (20,000 stations, 30 live minutes, the
# 2-hour back-fill burst; about an hour).
CITY_SIM ?= --stations 2000 --minutes 2 --burst-minutes 10 --limit-seconds 20
bench: install
	$(BIN)/python bench/locate_bench.py
	$(BIN)/python bench/migrate_bench.py
	$(BIN)/python bench/demo_build.py
	$(BIN)/python bench/pages_load.py
	$(BIN)/python bench/aqi_bench.py
	$(BIN)/python bench/ranking_bench.py
	PYTHONPATH=src $(BIN)/python bench/partition_bench.py
	BENCH_DATABASE_URL= $(BIN)/python bench/import_bench.py
	$(if $(BENCH_DATABASE_URL),$(BIN)/python bench/import_bench.py)
	$(BIN)/python bench/http_bench.py
	BENCH_GATEWAY=60 $(BIN)/python bench/http_bench.py
	$(BIN)/python bench/hj212_bench.py
	$(BIN)/python bench/receivers_bench.py
	$(BIN)/python bench/hj212_forward.py
	$(BIN)/python bench/dispatch_bench.py
	PYTHONPATH=src $(BIN)/python bench/forecast_backtest.py
	$(BIN)/python bench/transition_bench.py
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/backup_bench.py
	$(BIN)/python bench/upload_bench.py
	$(BIN)/python bench/firepoints_bench.py
	$(BIN)/python bench/city_sim.py $(CITY_SIM)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache

# Regenerate the English catalogue from the (Chinese) source strings, then compile it.
messages: install
	cd src/gridgov && ../../$(BIN)/gridgov makemessages -l en --no-location --no-obsolete
	$(BIN)/python scripts/compile_messages.py
