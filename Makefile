# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Sockets live for hours (agents' inboxes, open widgets): no lifetime cap, keepalive pings find dead peers,
# a handshake may wait 30 s in a connection storm instead of Daphne's 5 s default, and a frame up to 4 MiB
# reaches the app, which answers an oversized one with an error frame instead of a dropped connection.
DAPHNE_FLAGS ?= --websocket_connect_timeout 30 --websocket_timeout -1 --ping-interval 20 --ping-timeout 30 \
	--application-close-timeout 10 --websocket-max-message-size 4194304 --websocket-max-frame-size 4194304

.PHONY: run test lint format migrate demo worker beat clean bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## Start the product on its embedded default (SQLite, in-memory channel layer, eager Celery, demo tenant).
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(PY) manage.py detection_train --if-missing
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_setup --host $(HOST) --port $(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) $(DAPHNE_FLAGS) config.asgi:application

## Connection storm on loopback: handshake times of 300 and 1,000 widget sockets opened within a second.
bench: $(VENV)/.installed
	$(PY) bench/connect_storm.py --clients 300 1000 --daphne-args "$(DAPHNE_FLAGS)"

## Load bench: the product (PostgreSQL, Redis, Daphne, Celery) against a bare Channels app, same run.
## Default 200 customers and 20 agents for 60 s; e.g. `make bench-load LOAD_ARGS="--customers 1000"`.
.PHONY: bench-load
bench-load: $(VENV)/.installed
	$(PY) bench/load.py $(LOAD_ARGS)

## Page bench: queries, p50/p95 and query plans of the hot pages, against a tenant made by
## `manage.py scale_data` in the database of DATABASE_URL; e.g. `make bench-pages PAGES_ARGS="--runs 50"`.
.PHONY: bench-pages
bench-pages: $(VENV)/.installed
	$(PY) bench/pages.py $(PAGES_ARGS)

## Run the whole test suite: the tests of every app, then the fault suite (tests/fault), which starts its
## own Redis, database, Daphne servers and Celery processes and breaks them. Both always run.
test: $(VENV)/.installed
	$(PY) manage.py detection_train --if-missing
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
	$(VENV)/bin/celery -A config worker --loglevel=info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
