# Shortcuts for developers; the README's two commands need only Python 3.11 and pip.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test test-fast lint fixtures bench bench-ingest

$(VENV)/bin/treem:
	python3.11 -m venv $(VENV)
	$(VENV)/bin/pip install -r requirements.lock -e .

setup: $(VENV)/bin/treem

demo: setup
	$(VENV)/bin/treem demo

test: setup
	$(PY) -m pytest -n 2 --dist loadscope && $(PY) -m pytest -m slow -n 2 --dist loadscope

test-fast: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

fixtures: setup
	$(PY) tests/fixtures/make_fixtures.py

bench: setup
	$(PY) -m benchmarks.pipeline --scale 1

bench-ingest: setup
	$(PY) -m benchmarks.ingest --scale 1
