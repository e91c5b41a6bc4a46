# Kohtaamo's everyday commands. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
BASE_STAMP := $(VENV)/.base-installed
DEV_STAMP := $(VENV)/.dev-installed
PYTEST_ARGS ?=

.PHONY: demo test ci lint format messages bench reset-db lock browser-deps serve migrate restore-drill fault-drill audit

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

## Extract, share and compile translations (needs GNU gettext)
# makemessages puts the strings of an app with its own locale/ directory into that app's catalog,
# the rest into locale/. So that a string translated in any catalog of a language is translated in
# all of them (also when a string moves into a new app catalog), the translations of every catalog
# are first gathered into one compendium per language, which then fills the untranslated entries.
MESSAGE_LANGUAGES := fi sv en
MESSAGE_IGNORE := --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*'
# The project's catalog first: where catalogs disagree on a translation, its translation wins.
CATALOGS = ls locale/$$lang/LC_MESSAGES/django.po kohtaamo/*/locale/$$lang/LC_MESSAGES/django.po 2>/dev/null
messages: $(BASE_STAMP)
	@command -v msgmerge >/dev/null || { echo "make messages needs GNU gettext (apt-get install gettext)"; exit 1; }
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	for lang in $(MESSAGE_LANGUAGES); do \
		n=100; for po in $$($(CATALOGS)); do \
			n=$$((n + 1)); msgattrib --force-po --translated --no-fuzzy --no-obsolete -o "$$tmp/$$lang-$$n.po" "$$po"; \
		done; \
	done; \
	$(BIN)/python manage.py makemessages $(foreach lang,$(MESSAGE_LANGUAGES),--locale $(lang)) --no-obsolete $(MESSAGE_IGNORE); \
	for lang in $(MESSAGE_LANGUAGES); do \
		parts=$$(find "$$tmp" -name "$$lang-*" | sort); compendium=; \
		if [ -n "$$parts" ]; then msgcat --force-po --use-first -o "$$tmp/$$lang.po" $$parts; compendium="--compendium=$$tmp/$$lang.po"; fi; \
		for po in $$($(CATALOGS)); do \
			sed -i '1,/^msgid ""/{/^#, fuzzy$$/d}' "$$po"; \
			msgattrib --force-po --translated --no-fuzzy -o "$$tmp/own.po" "$$po"; \
			msgmerge --quiet --force-po --no-fuzzy-matching --lang=$$lang $$compendium -o "$$po" "$$tmp/own.po" "$$po"; \
			printf '%s: ' "$$po"; msgfmt --check-format --statistics -o /dev/null "$$po"; \
		done; \
	done
	$(BIN)/python manage.py compilemessages $(MESSAGE_IGNORE)

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

## Back up the configured database, restore it aside and compare every table (docs/operations.md)
restore-drill: $(BASE_STAMP)
	$(BIN)/python -m scripts.backup drill

## Restart PostgreSQL and kill a gunicorn worker while batches are posted; all in a throwaway cluster (about 2 min)
fault-drill: $(BASE_STAMP)
	$(BIN)/python -m scripts.fault_drill

reset-db:
	rm -f var/kohtaamo.sqlite3 var/kohtaamo.sqlite3-wal var/kohtaamo.sqlite3-shm
	$(MAKE) migrate

## Re-lock the dependencies after editing requirements/*.in
lock: $(DEV_STAMP)
	$(BIN)/pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras -o dev.txt dev.in
