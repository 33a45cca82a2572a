# Two entry points that work on a fresh machine with Python >= 3.11:
#   make demo   set up and run the offline demo (Cal.com simulator + altslot, memory cache)
#   make check  set up and run the whole test suite (ruff, mypy --strict, pytest)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo check install bench

$(BIN)/altslot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/altslot

demo: install
	$(BIN)/altslot demo

check: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src
	$(BIN)/pytest -q
