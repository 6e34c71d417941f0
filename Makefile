# onshore: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP  := $(VENV)/.installed
# make run PORT=8080 HOST=0.0.0.0 (or ONSHORE_PORT / ONSHORE_HOST in the environment)
PORT   ?=
HOST   ?=

.PHONY: install run demo test soak bench lint clean messages

$(STAMP_RUN): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(STAMP_RUN)

$(STAMP): $(STAMP_RUN) pyproject.toml
	@# SoftHSM2: the PKCS#11 token the HSM key-store tests run against (Debian package).
	command -v softhsm2-util >/dev/null 2>&1 || apt-get install -y softhsm2 \
	  || (apt-get update && apt-get install -y softhsm2) \
	  || echo "warning: install softhsm2 for the HSM key-store tests"
	@# Chromium: the browser the console's browser tests drive through Playwright (Debian
	@# package; Playwright's own browser download is not used, see tests/support/chromium.py).
	command -v chromium >/dev/null 2>&1 || apt-get install -y chromium \
	  || (apt-get update && apt-get install -y chromium) \
	  || echo "warning: install chromium for the console's browser tests"
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install onshore with its dev tools (idempotent)

run: $(STAMP_RUN) ## the main job: serve the API on the embedded default (runtime dependencies only; PORT=8080 picks the port)
	$(VENV)/bin/onshore run $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST))

demo: $(STAMP_RUN) ## write synthetic users through the SDK and check where they landed
	$(VENV)/bin/onshore demo

# Two workers (pytest-xdist): the suite takes about half the time on a 2-core machine; every
# test owns its temp dirs, ports and PostgreSQL clusters. TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 2
test: $(STAMP) ## the whole suite with the dev tools, PostgreSQL clusters, browser tests and the wheel smoke test included
	$(VENV)/bin/pytest -n $(TEST_WORKERS)

soak: $(STAMP) ## long reliability and fuzz runs (kill -9 trials, tamper matrices, fuzzers) with their figures
	ONSHORE_SOAK=1 $(VENV)/bin/pytest -m soak -s --timeout=7200

BENCH_ARGS ?=
bench: $(STAMP) ## benchmarks (ratios against baselines measured in the same run); BENCH_ARGS=--quick for a short run
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b $(BENCH_ARGS) || exit 1; done

lint: $(STAMP) ## ruff + mypy strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

CONSOLE := src/onshore/server/console
messages: $(STAMP) ## extract the console's strings (pybabel) and merge them into its vi and en catalogs
	mkdir -p build
	$(VENV)/bin/pybabel extract -F babel.cfg -k translate:2 -k N_ --no-location --sort-output \
	  --omit-header -o build/console.pot $(CONSOLE)
	$(VENV)/bin/pybabel update -i build/console.pot -d $(CONSOLE)/locale -D console \
	  --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
