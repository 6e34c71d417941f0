# onshore: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo test soak bench lint clean

$(STAMP): pyproject.toml
	@# SoftHSM2: the PKCS#11 token the HSM key-store tests run against (Debian package).
	command -v softhsm2-util >/dev/null 2>&1 || apt-get install -y softhsm2 \
	  || (apt-get update && apt-get install -y softhsm2) \
	  || echo "warning: install softhsm2 for the HSM key-store tests"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install onshore with its dev tools (idempotent)

run: $(STAMP) ## the main job: serve the API on the embedded default (first start: config, keys, demo data, admin token)
	$(VENV)/bin/onshore run

demo: $(STAMP) ## write synthetic users through the SDK and check where they landed
	$(VENV)/bin/onshore demo

test: $(STAMP) ## the whole suite, PostgreSQL clusters included (started by the tests)
	$(VENV)/bin/pytest

soak: $(STAMP) ## long reliability and fuzz runs (kill -9 trials, tamper matrices, fuzzers) with their figures
	ONSHORE_SOAK=1 $(VENV)/bin/pytest -m soak -s --timeout=7200

BENCH_ARGS ?=
bench: $(STAMP) ## benchmarks (ratios against baselines measured in the same run); BENCH_ARGS=--quick for a short run
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b $(BENCH_ARGS) || exit 1; done

lint: $(STAMP) ## ruff + mypy strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
