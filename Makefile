# OTS Digital Diplomacy Data: the whole pipeline. `make help` lists the steps.
#
#   data/*.csv + datapackage.yaml --validate--> --build--> build/ots.db --serve--> Datasette
#                                                          build/metadata.json
#   docs/ + mkdocs.yml + build/ots.db ---------docs------> site/      (served at /docs/)

SHELL := /bin/bash
export NO_MKDOCS_2_WARNING := 1
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8001
HOST ?= 127.0.0.1
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
SETUP := $(VENV)/.installed

DATA := datapackage.yaml $(wildcard data/*.csv data/raw/*.csv)
DB := build/ots.db
METADATA := build/metadata.json
INSPECT := build/inspect.json
SITE := site/index.html
# Operational Datasette settings live in settings.json (not in the descriptive metadata).
DATASETTE_SETTINGS = $(shell $(PY) -c 'import json; print(" ".join(f"--setting {k} {str(v).lower() if isinstance(v, bool) else v}" for k, v in json.load(open("settings.json")).items()))')

.PHONY: help setup validate build docs release serve test loadtest bench browser profile clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(SETUP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(SETUP) ## Create .venv and install the pinned packages (requirements.txt)

validate: $(SETUP) ## Validate the CSVs against datapackage.yaml and the project rules
	$(PY) scripts/validate.py

$(DB): $(SETUP) $(DATA) scripts/build.py scripts/validate.py scripts/schema.py scripts/counts.py
	$(PY) scripts/build.py --db $@

$(METADATA): $(SETUP) metadata.yml datapackage.yaml scripts/metadata.py scripts/schema.py
	$(PY) scripts/metadata.py --out $@

$(INSPECT): $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $@.tmp && mv $@.tmp $@

build: $(DB) $(METADATA) $(INSPECT) ## Validate, then build the SQLite database and Datasette metadata

$(SITE): $(DB) mkdocs.yml scripts/docs.py scripts/charts.py $(shell find docs -type f 2>/dev/null) $(wildcard dist/releases.json)
	$(PY) scripts/docs.py --db $(DB) --site site

docs: $(SITE) ## Build the documentation site into site/

serve: build docs ## Build everything and serve Datasette with the docs on http://127.0.0.1:8001 (PORT= to change)
	mkdir -p dist
	@echo "Serving on http://$(HOST):$(PORT)/  (docs at /docs/)"
	$(BIN)/datasette serve -i $(DB) --inspect-file $(INSPECT) --metadata $(METADATA) \
	  --host $(HOST) --port $(PORT) $(DATASETTE_SETTINGS) \
	  --plugins-dir plugins --template-dir templates \
	  --static docs:site --static downloads:dist --static assets:assets

release: build ## Write dist/<version>/ (CSVs, datapackage.json, database, zip, SHA256SUMS); refuses an existing version
	$(PY) scripts/release.py --db $(DB) --dist dist

WRK := /usr/bin/wrk
$(WRK):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

loadtest: build docs $(WRK) ## Bounded load test of `make serve` on 127.0.0.1 (wrk, 2 x 20 s); figures go to docs/reports/
	$(PY) scripts/loadtest.py

bench: build docs $(WRK) $(SQLITE3_CLI) ## Benchmarks at a million synthetic rows: build vs .import, JSON vs static, page latency; report in docs/reports/
	$(PY) scripts/bench.py

# cffconvert pins jsonschema<4 (breaks frictionless), so CITATION.cff is validated from its own venv.
CFF_SETUP := .venv-cff/.installed
$(CFF_SETUP): requirements-cff.txt
	test -x .venv-cff/bin/python || $(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	touch $@

# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core

# SQLite's own CLI: the fast CSV import of the build (the build falls back to Python without it)
# and the no-checks floor of `make bench`.
SQLITE3_CLI := /usr/bin/sqlite3
$(SQLITE3_CLI):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3

browser: $(CHROMIUM) ## Install Debian's Chromium for the browser tests (needs root, as in CI)

test: build docs $(CHROMIUM) $(SQLITE3_CLI) $(CFF_SETUP) ## Build everything, then run the whole test suite (browser tests included)
	$(PY) -m pytest

profile: $(SETUP) ## Print a csvkit profile (csvstat) of every curated table
	@for f in data/*.csv; do echo "== $$f"; $(BIN)/csvstat --no-inference "$$f" | head -n 60; done

clean: ## Remove generated files (build/, site/); the virtual environment and releases stay
	rm -rf build site site.builds site.link.tmp .pytest_cache test-artifacts
