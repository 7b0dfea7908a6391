# hwaas — two commands: `make run` and `make test`. Everything else here is what they need.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# pip's notes about this machine's extra package folders are noise; errors still fail the build.
QUIET_PIP := 2>&1 | { grep -v '^WARNING: Location' || true; }
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1
export FLASK_APP := wsgi

.PHONY: run test install install-dev assets translations system-deps serve bench

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo
	@echo ""
	@echo "hwaas is starting at http://$(HOST):$(PORT)/"
	@$(BIN)/flask demo-logins
	@HOST=$(HOST) bash scripts/serve.sh $(PORT)

test: install-dev system-deps
	bash scripts/test.sh

install: $(VENV)/.runtime assets translations

install-dev: $(VENV)/.dev assets translations

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip $(QUIET_PIP)

$(VENV)/.runtime: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e . $(QUIET_PIP)
	touch $@

$(VENV)/.dev: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev]' $(QUIET_PIP)
	touch $@ $(VENV)/.runtime

# htmx comes from the npm registry at set-up and is served by the app itself (never committed).
assets: hwaas/static/vendor/htmx.min.js

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

hwaas/static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p hwaas/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

# The language catalogues (hwaas/translations/*/LC_MESSAGES/messages.po, committed) compiled to
# the .mo files the app reads (not committed). scripts/translations.sh updates the .po files.
CATALOGUES := $(wildcard hwaas/translations/*/LC_MESSAGES/messages.po)
translations: $(CATALOGUES:.po=.mo)

hwaas/translations/%/LC_MESSAGES/messages.mo: hwaas/translations/%/LC_MESSAGES/messages.po | $(VENV)/.runtime
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# Chromium (browser tests), fonts and Pango (PDFs): Debian packages, installed when missing.
system-deps:
	@bash scripts/system-deps.sh

# Benchmarks (bench/README.md): serve with gunicorn, drive with wrk, write bench/RESULTS.md.
# Choose what runs: make bench SIZES="S" DBS="postgresql". Not part of `make test`.
SIZES ?= S L
DBS ?= sqlite postgresql
bench: install
	bash bench/setup.sh "$(DBS)"
	BENCH_COMMAND='make bench SIZES="$(SIZES)" DBS="$(DBS)"' $(BIN)/python -m bench.run --sizes "$(SIZES)" --dbs "$(DBS)"
