# Kohtaamo's everyday commands. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
BASE_STAMP := $(VENV)/.base-installed
DEV_STAMP := $(VENV)/.dev-installed
PYTEST_ARGS ?=

.PHONY: demo test ci lint format messages bench reset-db lock browser-deps serve migrate audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BASE_STAMP): requirements/base.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	touch $@

$(DEV_STAMP): $(BASE_STAMP) requirements/dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

migrate: $(BASE_STAMP)
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

## Set everything up and serve the demo on http://127.0.0.1:$(PORT)
demo: migrate
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## Debian's Chromium and ChromeDriver for the browser tests (installed when root and missing).
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
		if [ "$$(id -u)" = "0" ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
		else \
			echo "Browser tests need Debian's chromium and chromium-driver: sudo apt-get install chromium chromium-driver"; \
		fi; \
	fi

## Run the whole suite (SQLite by default; set DATABASE_URL=postgres://... for PostgreSQL)
test: $(DEV_STAMP) browser-deps
	KOHTAAMO_ENV=test $(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

ci: lint audit test

## bandit (no high findings) and pip-audit (no known vulnerabilities; says so loudly if it cannot check)
audit: $(DEV_STAMP)
	$(BIN)/python .ci/audit

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Extract and compile translations (needs GNU gettext)
messages: $(BASE_STAMP)
	$(BIN)/python manage.py makemessages --locale fi --locale sv --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

reset-db:
	rm -f var/kohtaamo.sqlite3 var/kohtaamo.sqlite3-wal var/kohtaamo.sqlite3-shm
	$(MAKE) migrate

## Re-lock the dependencies after editing requirements/*.in
lock: $(DEV_STAMP)
	$(BIN)/pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o dev.txt dev.in
