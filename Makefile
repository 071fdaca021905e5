VENV ?= .venv
CUSTOMERS ?= 20000
PORT ?= 8000
ARGS ?=
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench loadtest clean catalog

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/bankcrm demo --customers $(CUSTOMERS) --port $(PORT)

test: install
	VENV=$(VENV) scripts/run-tests.sh $(ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

bench: install
	OMP_NUM_THREADS=1 $(VENV)/bin/pytest -m slow -n 2 --dist loadgroup
	$(PY) -m bench.run

loadtest: install
	$(PY) -m bench.loadtest

clean:
	rm -rf $(VENV) bankcrm.db bankcrm.db-wal bankcrm.db-shm bankcrm.secret-key .pytest_cache .mypy_cache .ruff_cache

catalog: install
	$(VENV)/bin/pybabel extract -F babel.cfg -o /tmp/bankcrm-messages.pot --no-location --sort-output -k _ -k gettext:2 .
	$(VENV)/bin/pybabel update -i /tmp/bankcrm-messages.pot -d src/bankcrm/web/locales --ignore-obsolete --no-fuzzy-matching
	$(PY) scripts/derive-zh-tw.py
