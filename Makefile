# Hearth: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format demo lock clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch node_modules/.installed

## run: install, migrate, load the demo supplier, run the day's jobs once and serve it on http://$(HOST):$(PORT)/
# (the demo has no scheduler: a job that fails is shown on the console's Daily jobs page, and the site still starts)
run: export HEARTH_SITE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP)
	$(BIN)/hearth migrate --no-input
	$(BIN)/hearth load_demo
	-$(BIN)/hearth run_daily
	$(BIN)/hearth runserver $(HOST):$(PORT)

## test: every test (unit, integration, browser) on one worker per core (pytest-xdist; tests that commit and flush run
# last on each worker, as pytest-django orders them, so the seeded document types are there for the others);
# missing services skip unless HEARTH_REQUIRE names them
TEST_WORKERS ?= auto
test: $(STAMP) node_modules/.installed
	$(BIN)/pytest --numprocesses=$(TEST_WORKERS) $(PYTEST_ARGS)

## lint: ruff, formatting, mypy, import-linter
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

## lock: re-resolve requirements.lock from pyproject.toml (needs uv: pip install uv)
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
