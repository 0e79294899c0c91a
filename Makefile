# Quarterhour: `make run` serves the demo on http://127.0.0.1:5000 (`make run PORT=8080` on
# another port), `make test` runs the suite.
VENV   ?= .venv
PORT   ?= 5000
PYTHON ?= python3
BIN     = $(VENV)/bin
DEV     = QUARTERHOUR_ENV=development
# The compiled catalogs are build output (hatch_build.py writes them on install, never committed);
# the rule below recompiles one when its .po changes.
PO      = $(wildcard plugin/translations/*/LC_MESSAGES/*.po)
MO      = $(PO:.po=.mo)

.PHONY: run test machine lint test-sqlite test-postgres wheel-check catalogs translations clean

$(BIN)/.installed: pyproject.toml hatch_build.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

catalogs: $(MO)

$(MO): %.mo: %.po | $(BIN)/.installed
	$(BIN)/pybabel --quiet compile -l $(word 3,$(subst /, ,$@)) -i $< -o $@

run: $(BIN)/.installed catalogs
	$(DEV) $(BIN)/quarterhour db upgrade
	$(DEV) $(BIN)/quarterhour demo
	$(DEV) $(BIN)/quarterhour run --host 127.0.0.1 --port $(PORT)

test: machine lint test-sqlite test-postgres wheel-check

# The Debian packages the suite needs and a running PostgreSQL; quick when all is there.
machine:
	bash scripts/setup-machine.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check .

test-sqlite: machine $(BIN)/.installed catalogs
	$(BIN)/python -m pytest -q

# A fresh PostgreSQL database per run (127.0.0.1:5432, trust auth), dropped afterwards.
test-postgres: machine $(BIN)/.installed catalogs
	$(BIN)/python scripts/with_postgres.py $(BIN)/python -m pytest -q

# `pip install .` (not editable) into a fresh venv must give a working app.
wheel-check: machine $(BIN)/.installed
	bash scripts/check_wheel.sh $(BIN)/python

# After changing texts: extract them, merge into the catalogs, translate, then compile.
translations: $(BIN)/.installed
	$(BIN)/python scripts/extract_messages.py plugin/translations/messages.pot --no-location --sort-output
	$(BIN)/pybabel update -i plugin/translations/messages.pot -d plugin/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d plugin/translations --statistics

clean:
	rm -rf $(VENV) build dist instance .pytest_cache $(MO)
