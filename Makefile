# Workbay: the README's commands. Everything installs into .venv from pinned requirements.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
# pytest-xdist workers: one per core (each starts its own throw-away PostgreSQL and live server).
TEST_WORKERS ?= auto

.PHONY: run worker test test-future lint bench flask clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## run: the product on its embedded default (PostgreSQL under instance/, mail to the outbox, demo seeded)
run: $(VENV)/.runtime
	$(PY) scripts/dev.py run --port $(PORT)

## worker: one more background worker (queued mail, scheduled reminders) against the embedded database;
## `make run` already runs one in-process. Production runs `flask --app wsgi worker` next to the web workers.
worker: $(VENV)/.runtime
	$(PY) scripts/dev.py flask worker

## test: install what the tests need (Python packages, Chromium when missing) and run them all
test: $(VENV)/.dev
	bash scripts/ensure_chromium.sh
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## test-future: the whole suite with the clock a year ahead for app, database and browser (libfaketime: apt-get install faketime)
test-future: $(VENV)/.dev
	@command -v faketime >/dev/null || { echo "faketime is missing: apt-get install faketime" >&2; exit 1; }
	bash scripts/ensure_chromium.sh
	faketime -f '+365d' $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## bench: latency and query counts of the busiest pages on seeded shops (prints figures, asserts nothing)
bench: $(VENV)/.dev
	$(PY) bench/pages.py $(BENCH_ARGS)

## lint: ruff (style, imports), import-linter (the layers of docs/architecture.md, contracts in pyproject.toml)
## and bandit (security checks over saas/; its reviewed exceptions: [tool.bandit] in pyproject.toml)
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check saas tests config.py wsgi.py scripts bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit --quiet --configfile pyproject.toml --recursive saas --baseline bandit-baseline.json

## shell: any flask command against the embedded database, e.g. make flask ARGS="tenants list"
flask: $(VENV)/.runtime
	$(PY) scripts/dev.py flask $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
