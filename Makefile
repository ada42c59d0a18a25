# Two commands on a fresh machine with only python3:  make run  |  make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip -q --disable-pip-version-check

.PHONY: run test fuzz install dev lint bench schema-doc clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

# The main job on the sample corpus (pipelines/sample.toml), into out/, with its summary.
run: install
	$(VENV)/bin/newsbeam run sample_corpus --out out --config pipelines/sample.toml

test: dev
	$(VENV)/bin/ruff check src tests bench pipelines
	$(VENV)/bin/pytest -q --durations=15

# The property-based tests at full size, run by hand: 1,500 adversarial examples per text stage (see
# tests/adversarial.py), about 10 minutes on 2 cores. `make test` runs the same tests with 40 examples each.
fuzz: dev
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest -q -p no:cacheprovider tests/test_fuzz_text_stages.py

lint: dev
	$(VENV)/bin/ruff check src tests bench pipelines

bench: dev
	$(PY) bench/run_bench.py

schema-doc: install
	$(PY) -m newsbeam.output.schema > docs/schema.md

clean:
	rm -rf out .pytest_cache
