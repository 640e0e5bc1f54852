# The VMO platform's task runner. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: help install lock audit migrate seed run serve test lint lint-imports format migrations-check pytest worker beat bench check-deploy schema clean screenshots

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

# The virtualenv holds exactly requirements.lock: every package pinned with its hashes (pip itself
# included), so a fresh clone installs what CI tested. requirements.txt is the human list.
$(BIN)/activate: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q --require-hashes -r requirements.lock
	touch $(BIN)/activate

install: $(BIN)/activate ## Create the virtualenv and install the locked, hashed packages (requirements.lock)

lock: install ## Resolve requirements.txt again into requirements.lock (every package, with hashes); then make install
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
	  --output-file requirements.lock requirements.txt

# pip-audit asks a vulnerability service (OSV by default) about each locked version; it never
# installs anything (--disable-pip on the hashed lock). Where no such service answers (this
# machine and CI reach only package registries) the target says so and fails: it never reports
# "no known vulnerabilities" for a check it could not make. AUDIT_UNREACHABLE_OK=1 (CI) prints
# the same line and goes on.
AUDIT_SERVICE ?= osv
AUDIT_URL ?= https://api.osv.dev
AUDIT_UNREACHABLE_OK ?=
audit: install ## Known vulnerabilities in requirements.lock (pip-audit); says plainly when it could not check
	@if $(BIN)/python -c "import requests; requests.head('$(AUDIT_URL)', timeout=10)" 2>/dev/null; then \
	  $(BIN)/pip-audit --progress-spinner off --disable-pip --require-hashes -s $(AUDIT_SERVICE) -r requirements.lock; \
	else \
	  echo "make audit: could not check: no vulnerability service reachable ($(AUDIT_URL)); nothing was audited."; \
	  [ "$(AUDIT_UNREACHABLE_OK)" = 1 ]; \
	fi

migrate: install ## Apply database migrations
	$(MANAGE) migrate --no-input

seed: migrate ## Load the demo portfolio (idempotent)
	$(MANAGE) seed_demo --url http://$(HOST):$(PORT)/

run: seed ## From a fresh clone: install, migrate, load demo data and serve on http://$(HOST):$(PORT) (make run PORT=8101)
	@echo "Serving on http://$(HOST):$(PORT)/ - log in as director, vsm, vsm2, executive or pm (password: $${DEMO_PASSWORD:-demo})"
	$(MANAGE) runserver $(HOST):$(PORT)

screenshots: install ## Seed a throwaway demo, serve it and save the README's screenshots (Playwright, Debian chromium) in docs/screenshots/
	CHROMIUM_PATH=$${CHROMIUM_PATH:-/usr/bin/chromium} $(BIN)/python scripts/screenshots.py

serve: install ## Serve without migrating or seeding
	$(MANAGE) runserver $(HOST):$(PORT)

test: lint lint-imports migrations-check pytest ## The whole suite: lint, import layers, missing-migrations check, tests

lint: install ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lint-imports: install ## Check the direction of dependency between apps (import-linter contracts in pyproject.toml)
	$(BIN)/lint-imports --no-cache

migrations-check: install ## Fail when a model change has no migration
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

pytest: install ## Run the tests (PYTEST_ARGS="-k name" to narrow)
	$(BIN)/pytest $(PYTEST_ARGS)

worker: install ## Start a Celery worker (needs REDIS_URL)
	$(BIN)/celery -A config worker --loglevel=INFO --concurrency=$${CELERY_CONCURRENCY:-2}

beat: install ## Start Celery beat with the schedule from settings (needs REDIS_URL)
	$(BIN)/celery -A config beat --loglevel=INFO --schedule=$${CELERY_BEAT_SCHEDULE_FILE:-/tmp/vmo-celerybeat-schedule}

bench: install ## Seed benchmark-size data and print speed figures as ratios measured in one run
	DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python -m bench

check-deploy: install ## Django's deployment checks with production settings, warnings fail
	DJANGO_SETTINGS_MODULE=config.settings.prod SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))') \
	  ALLOWED_HOSTS=vmo.example.org $(MANAGE) check --deploy --fail-level WARNING

schema: install ## Write the OpenAPI schema to schema.yml and validate it
	$(MANAGE) spectacular --file schema.yml --validate

clean: ## Remove the virtualenv, the SQLite database and collected static files
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles
