# Two commands on a fresh machine with only python3:  make run  |  make test
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip -q --disable-pip-version-check

.PHONY: run test install dev lint bench schema-doc clean

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
	$(VENV)/bin/pytest -q

lint: dev
	$(VENV)/bin/ruff check src tests bench pipelines

bench: dev
	$(PY) bench/run_bench.py

schema-doc: install
	$(PY) -m newsbeam.schema > docs/schema.md

clean:
	rm -rf out .pytest_cache
