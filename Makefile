# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2

.PHONY: install run serve serve-deps test lint typecheck unit system-deps bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

## make run: install, migrate the SQLite database, load the demo catalogue, serve on :8000
run: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - 'app:create_app()'

## make serve: the production recipe (SPEC 19): nginx on PORT in front of gunicorn's
## workers (preloaded, catalogue warmed before forking), against DATABASE_URL
serve: install serve-deps
	$(BIN)/flask --app app db upgrade
	PORT=$(PORT) HOST=$(HOST) WORKERS=$(WORKERS) $(BIN)/python deploy/serve.py

## Debian's nginx, run by deploy/serve.py as the user who starts it (no system service).
serve-deps:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
		echo "Installing Debian's nginx for make serve..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; }

## make test: install, then lint, type-check and run the whole suite
test: install system-deps lint typecheck
	$(BIN)/pytest --cov=lifecycle --cov=platforms --cov-branch --cov-report=term-missing:skip-covered

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy --strict app lifecycle platforms

## Debian packages the tests use: headless Chromium for the page tests, nginx for the
## production recipe's tests.
system-deps: serve-deps
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

bench: install serve-deps
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@# Byte-compiled as a deployment would be, even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q app lifecycle platforms
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
