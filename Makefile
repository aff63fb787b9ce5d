# Developer entry points. The orchestration lives in scripts/; these targets
# only make sure the virtualenv exists and call it through the venv's python.

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install; a requirements file newer than its stamp
# => reinstall. `make dev` needs only the portal's packages; `make test` and
# `make lint` add the tools of requirements-dev.txt.
STAMP := $(VENV)/.requirements.stamp
DEV_STAMP := $(VENV)/.requirements-dev.stamp
PIP := $(VENV_PYTHON) -m pip install --disable-pip-version-check
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-m 'not browser' -x"
PYTEST_ARGS ?=
# A manage.py command line, e.g. make manage ARGS="issue_api_key demo-broker"
ARGS ?= help
# The embedded PostgreSQL unless DATABASE_URL is set (joins a running `make dev`).
WITH_DB := $(VENV_PYTHON) scripts/with_postgres.py

.DEFAULT_GOAL := dev
.PHONY: dev test manage worker lint clean venv venv-dev

venv: $(STAMP)
venv-dev: $(DEV_STAMP)

$(STAMP): requirements.txt
	@test -x $(VENV_PYTHON) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PIP) -r requirements.txt >&2
	@touch $@

$(DEV_STAMP): requirements-dev.txt $(STAMP)
	$(PIP) -r requirements-dev.txt >&2
	@touch $@

# Embedded PostgreSQL (unless DATABASE_URL is set), migrate, seed_demo,
# runserver 127.0.0.1:$PORT (default 8000) and a Celery worker; Ctrl-C stops them all.
dev: venv
	$(VENV_PYTHON) scripts/dev.py

# pytest against the embedded PostgreSQL, or DATABASE_URL when set.
test: venv-dev
	$(WITH_DB) $(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

# Any manage.py command on the same database and broker as `make dev`.
manage: venv
	@$(WITH_DB) $(VENV_PYTHON) manage.py $(ARGS)

# A Celery worker (and the beat) on the same database and broker as `make dev`.
worker: venv
	$(WITH_DB) $(VENV_PYTHON) -m celery -A portal worker --beat -l info

lint: venv-dev
	$(VENV_PYTHON) -m ruff check .

clean:
	rm -rf var/
