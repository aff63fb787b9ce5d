# Developer entry points. The orchestration lives in scripts/; these targets
# only make sure the virtualenv exists and call it through the venv's python.

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after a successful install; requirements.txt newer than it => reinstall.
STAMP := $(VENV)/.requirements.stamp
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-m 'not browser' -x"
PYTEST_ARGS ?=

.DEFAULT_GOAL := dev
.PHONY: dev test lint clean venv

venv: $(STAMP)

$(STAMP): requirements.txt
	@test -x $(VENV_PYTHON) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(VENV_PYTHON) -m pip install --disable-pip-version-check -r requirements.txt
	@touch $@

# Embedded PostgreSQL (unless DATABASE_URL is set), migrate, seed_demo,
# runserver 127.0.0.1:8000 and a Celery worker; Ctrl-C stops them all.
dev: venv
	$(VENV_PYTHON) scripts/dev.py

# pytest against the embedded PostgreSQL, or DATABASE_URL when set.
test: venv
	$(VENV_PYTHON) scripts/with_postgres.py $(VENV_PYTHON) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV_PYTHON) -m ruff check .

clean:
	rm -rf var/
