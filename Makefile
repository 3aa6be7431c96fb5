# OTS Digital Diplomacy Data: the whole pipeline. `make help` lists the steps.
#
#   data/*.csv + datapackage.yaml --validate--> --build--> build/ots.db --serve--> Datasette
#                                                          build/metadata.json
#   docs/ + mkdocs.yml + build/ots.db ---------docs------> site/      (served at /docs/)
#   ots_data/serving.py: the one way Datasette is started (serve, serve-prod, tests, loadtest, bench)

SHELL := /bin/bash
export NO_MKDOCS_2_WARNING := 1
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The address the site is published at, e.g. https://example.org/ots (ots_data/public_url.py).
# No default: unset, nothing built or released names an address (links are relative).
PUBLIC_URL ?=
export PUBLIC_URL
PORT ?= 8001
HOST ?= 127.0.0.1
REPLICAS ?= 2
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
SETUP := $(VENV)/.installed

DATA := datapackage.yaml $(wildcard data/*.csv data/raw/*.csv)
# The Turkish and Russian texts the search index holds for errata and commitments (ots_data/build.py).
TRANSLATED := docs/i18n/errata.yml docs/i18n/commitments.yml docs/i18n/roles.yml
DB := build/ots.db
METADATA := build/metadata.json
INSPECT := build/inspect.json
SITE := site/index.html

.PHONY: FORCE help setup lint validate build docs mirror deposit release check-datasette-next serve serve-prod test test-fast loadtest bench browser profile clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-11s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(SETUP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

setup: $(SETUP) ## Create .venv and install the pinned packages (requirements.txt)

# System tools from Debian's packages, installed on first use (as root, as in CI). Defined before
# any target names them: make expands a prerequisite list when it reads the line.
# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core

# SQLite's own CLI: the fast CSV import of the build (the build falls back to Python without it)
# and the no-checks floor of `make bench`.
SQLITE3_CLI := /usr/bin/sqlite3
$(SQLITE3_CLI):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3

# Debian's nginx (make serve-prod): installing the package here starts no service; serve-prod runs its own.
NGINX := /usr/sbin/nginx
$(NGINX):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx

# wrk: the load generator of the load test, the benchmarks and the failover test (loopback only).
WRK := /usr/bin/wrk
$(WRK):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk

lint: $(SETUP) ## Check the Python code with ruff (lint and format; settings in pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

validate: $(SETUP) ## Validate the CSVs against datapackage.yaml and the project rules
	$(PY) scripts/validate.py

# The code each step runs: its script and every module of ots_data/ it imports, directly or not,
# with the files those modules read. tests/test_build_graph.py derives these lists from the imports
# and fails when one is missing.
LIB := ots_data/__init__.py ots_data/project.py ots_data/schema.py
CATALOG := ots_data/catalog.py $(wildcard ots_data/catalog/*.yml ots_data/catalog/*/*.sql)
VALIDATE_CODE := scripts/validate.py ots_data/validate.py ots_data/staging.py ots_data/counts.py \
  $(wildcard ots_data/rules/*.py) $(LIB)
BUILD_CODE := scripts/build.py ots_data/build.py ots_data/inflect.py $(CATALOG) $(VALIDATE_CODE)
METADATA_CODE := scripts/metadata.py ots_data/metadata.py ots_data/public_url.py $(CATALOG) $(LIB)
DOCS_CODE := scripts/docs.py ots_data/docs.py ots_data/charts.py ots_data/feed.py ots_data/release.py \
  ots_data/changes.py ots_data/codebook.py ots_data/deposit.py \
  ots_data/inflect.py ots_data/json_ld.py ots_data/public_url.py \
  $(wildcard ots_data/docs_templates/*.j2) $(CATALOG) $(LIB)

# The PUBLIC_URL the metadata and the docs were last made with, in a file rewritten only when it
# changes: make compares files, not variables, so a new address remakes those two and nothing else.
PUBLIC_URL_STAMP := build/public-url
$(PUBLIC_URL_STAMP): FORCE
	@mkdir -p $(@D)
	@if [ ! -f $@ ] || [ "$$(cat $@)" != "$$PUBLIC_URL" ]; then printf '%s\n' "$$PUBLIC_URL" > $@; fi

FORCE:

$(DB): $(SETUP) $(DATA) $(TRANSLATED) $(BUILD_CODE)
	$(PY) scripts/build.py --db $@

$(METADATA): $(SETUP) metadata.yml datapackage.yaml $(METADATA_CODE) $(PUBLIC_URL_STAMP)
	$(PY) scripts/metadata.py --out $@

$(INSPECT): $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $@.tmp && mv $@.tmp $@

build: $(DB) $(METADATA) $(INSPECT) ## Validate, then build the SQLite database and Datasette metadata

$(SITE): $(DB) mkdocs.yml $(DOCS_CODE) $(shell find docs -type f 2>/dev/null) $(wildcard dist/releases.json) $(PUBLIC_URL_STAMP)
	$(PY) scripts/docs.py --db $(DB) --site site

docs: $(SITE) ## Build the documentation site into site/

mirror: build docs ## Write the static mirror of the site into build/mirror/ for PUBLIC_URL (docs/deploying.md)
	$(PY) scripts/mirror.py --out build/mirror

serve: build docs ## Build everything and serve Datasette with the docs on http://127.0.0.1:8001 (PORT= to change)
	mkdir -p dist
	@echo "Serving on http://$(HOST):$(PORT)/  (docs at /docs/)"
	exec $(PY) scripts/serve.py --host $(HOST) --port $(PORT)

SERVE_PROD_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8080)
serve-prod: build docs $(NGINX) ## The production shape: nginx (cache, failover) in front of REPLICAS=2 Datasette replicas, on PORT=8080
	mkdir -p dist
	exec $(PY) scripts/serve_prod.py run --host $(HOST) --port $(SERVE_PROD_PORT) --replicas $(REPLICAS)

deposit: $(SETUP) ## Write .zenodo.json (the deposit's description) from datapackage.yaml and CITATION.cff
	$(PY) -m ots_data.deposit

release: build ## Write dist/<version>/ (CSVs, datapackage.json, database, codebook, changes, DataCite, zip, SHA256SUMS); refuses an existing version or a loopback PUBLIC_URL
	$(PY) scripts/release.py --db $(DB) --dist dist

loadtest: build docs $(WRK) $(NGINX) ## Bounded load test of `make serve-prod` on 127.0.0.1 (wrk, 2 x 20 s + proxy comparison); figures in docs/reports/
	$(PY) scripts/loadtest.py

bench: build docs $(WRK) $(SQLITE3_CLI) $(NGINX) ## Benchmarks on synthetic rounds to a million rows: build curve vs .import, every serve step, pages, facets; report in docs/reports/
	$(PY) scripts/bench.py

# cffconvert pins jsonschema<4 (breaks frictionless), so CITATION.cff is validated from its own venv.
CFF_SETUP := .venv-cff/.installed
$(CFF_SETUP): requirements-cff.txt
	test -x .venv-cff/bin/python || $(PYTHON) -m venv .venv-cff
	.venv-cff/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	touch $@

# The newest Datasette 1.0 alpha in a venv of its own (requirements-next.txt), never the project's.
NEXT_SETUP := .venv-next/.installed
$(NEXT_SETUP): requirements-next.txt pyproject.toml
	test -x .venv-next/bin/python || $(PYTHON) -m venv .venv-next
	.venv-next/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-next.txt
	.venv-next/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	touch $@

check-datasette-next: build docs $(NEXT_SETUP) ## Serve the site on the newest Datasette 1.0 alpha: no start-up error, no 5xx; prints what degrades (not part of make test)
	$(PY) -m ots_data.datasette_next

browser: $(CHROMIUM) ## Install Debian's Chromium for the browser tests (needs root, as in CI)

test: build docs $(CHROMIUM) $(SQLITE3_CLI) $(NGINX) $(WRK) $(CFF_SETUP) ## Build everything, then run the whole test suite (browser tests included)
	$(PY) -m pytest

test-fast: $(SETUP) ## The unit and data tests only (no servers, browser or slow builds): seconds, not minutes
	$(PY) -m pytest -m "not slow and not server and not browser"

profile: $(SETUP) ## Print a csvkit profile (csvstat) of every curated table
	@for f in data/*.csv; do echo "== $$f"; $(BIN)/csvstat --no-inference "$$f" | head -n 60; done

clean: ## Remove generated files (build/, site/); the virtual environments and releases stay
	rm -rf build site site.builds site.link.tmp .pytest_cache test-artifacts
