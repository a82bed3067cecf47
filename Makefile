# Ladder — the two commands are `make run` and `make test`; the rest help them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
RUN_ENV := DEBUG=true
TEST_ARGS ?=

.PHONY: help install run test fuzz lint format lock e2e-deps check-deploy messages bench bench-search bench-checkins bench-scale eval-matching clean

help:
	@echo "make run    install, migrate, load demo data, serve http://127.0.0.1:8000"
	@echo "make test   install and run the whole test suite"
	@echo "make lint   ruff and mypy"

$(PY):
	@py="$$(bin/find-python)" || exit 1; echo "Creating $(VENV) with $$py"; "$$py" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements-dev.lock | $(PY)
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || \
		{ echo "$(VENV) uses Python < 3.12; remove it (rm -rf $(VENV)) and run make again." >&2; exit 1; }
	$(PY) -m pip install --quiet -r requirements-dev.lock
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_reference
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests need Debian's chromium and axe-core from npm; without them they are
# skipped locally (CI sets LADDER_REQUIRE_BROWSER=1, which turns a skip into a failure).
e2e-deps:
	@if command -v npm >/dev/null 2>&1; then \
		[ -f node_modules/axe-core/axe.min.js ] || npm ci --no-audit --no-fund --silent; \
	else echo "npm not found: browser tests will be skipped" >&2; fi

# Two processes (pytest-xdist): each has its own test database and Redis database.
# On this 2-core machine the suite takes about 20% less time than in one (TEST_WORKERS=0
# runs it in one process, e.g. to debug with pdb).
TEST_WORKERS ?= 2
test: install e2e-deps
	$(PY) -m pytest -n $(TEST_WORKERS) $(TEST_ARGS)

# The fuzz test with many more examples than make test runs, unseeded: every URL pattern
# and every form, FUZZ_EXAMPLES hostile examples each (default 200; takes a while).
fuzz: install
	LADDER_FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} $(PY) -m pytest -n $(TEST_WORKERS) -q tests/integration/test_fuzz.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.12 -q -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 -q -o requirements-dev.lock

# The production settings must pass Django's deployment checks.
check-deploy: install
	DEBUG=false SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		ALLOWED_HOSTS=ladder.example.com SITE_URL=https://ladder.example.com \
		EMAIL_URL="smtp://mail.example.com:587?tls=1" DATABASE_URL=sqlite:///:memory: \
		$(PY) manage.py check --deploy --fail-level WARNING

# Search latency on SQLite and PostgreSQL (outside make test: timings are not assertions).
bench-search: install
	DATABASE_URL=sqlite:///$(CURDIR)/tests/bench/search.sqlite3 $(PY) -m tests.bench.search_latency
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ladder_bench} $(PY) -m tests.bench.search_latency

# One check-in sweep of N due people (default 10,000) on PostgreSQL into a local SMTP
# server: time, emails/s, queries per person (outside make test, like bench-search).
bench-checkins: install
	$(PY) -m tests.bench.checkin_sweep --users $${BENCH_USERS:-10000}

# 100,000 people on PostgreSQL: seeding time, the sweep's and the coach dashboard's
# query plans, the sweep's claim rate (outside make test).
bench-scale: install
	$(PY) -m tests.bench.scale --users $${BENCH_SCALE_USERS:-100000}

# Throughput and p50/p99 of the key pages under gunicorn (2 sync workers, production
# settings) with wrk, as ratios to a standard Django page served the same way in the same
# run; table in bench/results.json (outside make test, like bench-search). Installs
# Debian's wrk when it is missing. BENCH_USERS people (default 10,000), BENCH_DURATION
# seconds per run (default 10).
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "Installing wrk (Debian package)"; \
		$$sudo apt-get install -y --no-install-recommends wrk >/dev/null || \
		{ $$sudo apt-get update -qq && $$sudo apt-get install -y --no-install-recommends wrk >/dev/null; }; }
	$(PY) -m tests.bench.pages --users $${BENCH_USERS:-10000} --duration $${BENCH_DURATION:-10}

# The activity matcher on the labelled development set, asked through
# `manage.py match_activities` over a freshly loaded SQLite library (outside make test:
# figures, not assertions). EVAL_CSV=path evaluates another set of the same kind.
EVAL_DB := DEBUG=true DATABASE_URL=sqlite:///$(CURDIR)/tests/bench/eval.sqlite3
eval-matching: install
	$(EVAL_DB) $(PY) manage.py migrate --noinput -v 0
	$(EVAL_DB) $(PY) manage.py load_reference
	$(EVAL_DB) $(PY) -m tests.bench.eval_matching --via-command $${EVAL_CSV:+--csv $$EVAL_CSV}

messages:
	msgfmt --check -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .mypy_cache .ruff_cache
