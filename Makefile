# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrate demo worker beat clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Start the product on its embedded default (SQLite, in-memory channel layer, eager Celery, demo tenant).
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) helpdesk.asgi:application

## Run the whole test suite: the tests of every app, then the fault suite (tests/fault), which starts its
## own Redis, database, Daphne servers and Celery processes and breaks them. Both always run.
test: $(VENV)/.installed
	@status=0; \
	$(VENV)/bin/pytest --ignore=tests/fault || status=$$?; \
	$(VENV)/bin/pytest tests/fault || status=$$?; \
	exit $$status

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A helpdesk worker --loglevel=info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A helpdesk beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
