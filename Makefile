# The two commands of the README: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test venv lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

venv: $(BIN)/.installed

demo: venv
	bash scripts/syslibs.sh
	$(BIN)/lastmile demo

test: venv
	bash scripts/test.sh

lint: venv
	$(BIN)/ruff check src tests

clean:
	rm -rf $(VENV) lastmile.sqlite3 lastmile.sqlite3-*
