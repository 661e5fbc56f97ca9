# Two commands for a fresh machine with Python >= 3.11 and the package registries:
#   make serve   set up, then serve the embedded demo on http://127.0.0.1:8000/graphql
#   make test    set up, then run linters, type checks and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup serve test lock clean

setup: $(STAMP)

# Exact versions come from constraints.txt (what CI tested); pyproject.toml holds the ranges.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

serve: setup
	$(BIN)/partner-gateway serve

test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# Re-pin after changing dependency ranges: resolve afresh, then record exact versions.
lock:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
