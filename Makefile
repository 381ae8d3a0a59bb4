# Two commands on a fresh clone with only Python present: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run cli test test-fast openapi lint migrate bench reset clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "invoice-sync needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m sandbox.local

# The operator's command line on this project's settings, e.g. make cli ARGS=doctor or make cli ARGS="status FE-20931".
cli: $(STAMP)
	$(BIN)/invoice-sync $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# Writes docs/openapi.json from the endpoints' models (webhooks/openapi.py); tests/unit/test_openapi.py fails while it is stale.
openapi: $(STAMP)
	$(BIN)/python -m webhooks.openapi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrate: $(STAMP)
	$(BIN)/alembic upgrade head

# Starts the demo over: the app's database and the sandboxes' state go together (make run refuses to mix them).
reset:
	@$(PYTHON) -m sandbox.reset

clean:
	rm -rf $(VENV) instance .pytest_cache
