# KPI Portal: `make run` and `make test` set up a bare machine and do what they say.
SHELL := /bin/bash
PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
VENDOR := static/vendor
NM := node_modules
# Development defaults; `make serve` runs with DEBUG off and needs SECRET_KEY.
export DEBUG ?= 1

.PHONY: run test lint format e2e bench serve setup migrate demo static messages makemessages clean

setup: $(VENV)/.installed $(VENDOR)/.copied messages

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

$(NM)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries come from the npm registry and are served by us: no CDN.
$(VENDOR)/.copied: $(NM)/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/sarabun $(VENDOR)/icons
	cp $(NM)/bootstrap/dist/css/bootstrap.min.css* $(VENDOR)/bootstrap/
	cp $(NM)/bootstrap/dist/js/bootstrap.bundle.min.js* $(VENDOR)/bootstrap/
	cp $(NM)/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp $(NM)/chart.js/dist/chart.umd.min.js $(VENDOR)/
	cp $(NM)/@fontsource/sarabun/{400,500,600,700}.css $(VENDOR)/sarabun/
	mkdir -p $(VENDOR)/sarabun/files && cp $(NM)/@fontsource/sarabun/files/sarabun-{thai,latin}-{400,500,600,700}-normal.woff* $(VENDOR)/sarabun/files/
	cp $(NM)/bootstrap-icons/font/bootstrap-icons.min.css $(VENDOR)/icons/
	cp -r $(NM)/bootstrap-icons/font/fonts $(VENDOR)/icons/
	touch $@

messages: $(VENV)/.installed
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

makemessages: $(VENV)/.installed
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --no-obsolete

migrate: setup
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite but the browser journeys (make e2e); DATABASE_URL picks PostgreSQL.
test: setup
	$(PY) -m pytest -m "not e2e" -n 2 --dist loadfile

e2e: setup
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	@# The printed-forms journey reads its PDFs with poppler-utils (pdftotext, pdftoppm).
	@command -v pdftotext >/dev/null || (apt-get update -qq && apt-get install -y -qq poppler-utils >/dev/null)
	$(PY) -m pytest -m e2e tests/e2e -p no:xdist

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Production (deploy/serve.sh): DEBUG off, SECRET_KEY required, migrations,
# collectstatic, gunicorn on HOST:PORT (127.0.0.1:8000) and the task worker;
# Ctrl-C stops both. Settings: deploy/production.env.example.
serve: setup
	DEBUG=0 PORT=$(PORT) deploy/serve.sh

# The task worker alone: a second machine, or development with
# `TASKS_BACKEND=database make run` in another terminal.
.PHONY: worker
worker: $(VENV)/.installed
	TASKS_BACKEND=database $(PY) manage.py db_worker

bench: migrate
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) $(NM) $(VENDOR) staticfiles

# Load test (bench/load/run.py): builds the generated 20,000-officer agency in
# PostgreSQL kpi_load (LOAD_DATABASE_URL) once, runs `make serve` on
# 127.0.0.1:$(LOAD_PORT) with production settings, then locust at 10 and 50
# users; figures in bench/out/load-summary.md (see BENCHMARKS.md).
LOAD_PORT ?= 8120
.PHONY: load
load: setup
	$(PY) -m bench.load.run --port $(LOAD_PORT)
