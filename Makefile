# The two commands a new machine needs: `make build` and `make test`.
# Both create (once) and reuse .venv from the locked requirements.txt.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
DBT := $(BIN)/dbt
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONDONTWRITEBYTECODE := 1
# CI builds into its own DuckDB file so a developer's warehouse.duckdb is never touched.
CI_DB := $(CURDIR)/target/ci.duckdb

.PHONY: help venv seeds build bench test dbt-ci check-bigquery check-project semantic validate scan-secrets scan-pii export-opower pytest lint lint-sql lint-py docs clean lock

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

venv: $(STAMP)  ## create or reuse .venv from requirements.txt

seeds: $(STAMP)  ## regenerate the committed CSV seeds with the synthetic data generator
	$(BIN)/python -m energy_dw.generator

build: $(STAMP)  ## build the warehouse on DuckDB from the seeds (warehouse.duckdb)
	$(DBT) seed --target dev
	$(DBT) build --target dev || { $(BIN)/python -m energy_dw.failures; exit 1; }

dbt-ci: $(STAMP)  ## dbt seed + build (models, data tests, unit tests) into target/ci.duckdb
	@mkdir -p target
	DBT_DUCKDB_PATH=$(CI_DB) $(DBT) seed --target ci
	DBT_DUCKDB_PATH=$(CI_DB) $(DBT) build --target ci || { DBT_DUCKDB_PATH=$(CI_DB) $(BIN)/python -m energy_dw.failures; exit 1; }
	DBT_DUCKDB_PATH=$(CI_DB) $(DBT) docs generate --target ci --no-compile --quiet

check-project: $(STAMP)  ## every model and column described, a grain test per model, naming rules
	$(BIN)/python -m energy_dw.project_checks --target-path target

semantic: $(STAMP)  ## validate the MetricFlow semantic layer (configs, and against target/ci.duckdb)
	DBT_TARGET=ci DBT_DUCKDB_PATH=$(CI_DB) $(BIN)/mf validate-configs

export-opower: $(STAMP)  ## write the Opower usage file into OUT (make export-opower OUT=dir [UTILITY=soenergy] [VERSION=1] [DB=warehouse.duckdb])
	@test -n "$(OUT)" || { echo "usage: make export-opower OUT=dir"; exit 2; }
	$(BIN)/python -m energy_dw.opower_export --out "$(OUT)" --utility "$(or $(UTILITY),soenergy)" \
	    --version "$(or $(VERSION),1)" --database "$(or $(DB),warehouse.duckdb)"

BQ_CHECK_ARGS ?=

check-bigquery: $(STAMP)  ## BigQuery without credentials: emulator build, strictness, same numbers as DuckDB, Python models on PySpark
	$(BIN)/python -m energy_dw.bigquery.emulator check $(BQ_CHECK_ARGS)

validate: $(STAMP)  ## great-expectations suites over the built marts (Data Docs: target/validation_docs)
	DBT_DUCKDB_PATH=$(CI_DB) $(BIN)/python -m energy_dw.validation --docs-dir target/validation_docs

scan-secrets: $(STAMP)  ## secret scan of the repository (tracked and untracked-not-ignored files)
	$(BIN)/python -m energy_dw.secret_scan .

scan-pii: $(STAMP)  ## no mart column carries personal data in clear text (by name and by content)
	DBT_DUCKDB_PATH=$(CI_DB) $(BIN)/python -m energy_dw.pii_scan --target-path target

pytest: $(STAMP)  ## Python tests (generator, model logic, checks) against target/ci.duckdb
	DBT_DUCKDB_PATH=$(CI_DB) $(BIN)/pytest

lint-py: $(STAMP)
	$(BIN)/ruff check energy_dw tests python_models
	$(BIN)/ruff format --check energy_dw tests python_models

# sqlfluff renders every model against an empty DuckDB file, so what it lints never depends on
# what was built before: incremental models are linted in their full-refresh form (their
# incremental branch is run by tests/python/test_incremental.py and checked for BigQuery by
# make check-bigquery).
LINT_DB := $(CURDIR)/target/lint.duckdb

lint-sql: $(STAMP)
	@mkdir -p target && rm -f $(LINT_DB)
	DBT_DUCKDB_PATH=$(LINT_DB) $(BIN)/sqlfluff lint models macros analyses tests

lint: lint-py lint-sql  ## ruff and sqlfluff (zero violations)

test: $(STAMP)  ## every check: ruff, secrets, dbt build, BigQuery, structure, semantic layer, GX, PII, pytest, sqlfluff
	$(MAKE) --no-print-directory lint-py
	$(MAKE) --no-print-directory scan-secrets
	$(MAKE) --no-print-directory dbt-ci
	$(MAKE) --no-print-directory check-bigquery \
	    BQ_CHECK_ARGS="--duckdb $(CI_DB) --duckdb-manifest $(CURDIR)/target/manifest.json"
	$(MAKE) --no-print-directory check-project
	$(MAKE) --no-print-directory semantic
	$(MAKE) --no-print-directory validate
	$(MAKE) --no-print-directory scan-pii
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory lint-sql

docs: $(STAMP)  ## generate the dbt docs site into target/ (open with `dbt docs serve`)
	$(DBT) docs generate --target dev

SCALE ?= 0.01
RUNS ?= 3

bench: $(STAMP)  ## benchmark a generated scale: make bench SCALE=0.1 [RUNS=3] (docs/benchmarks.md)
	$(BIN)/python -m energy_dw.bench --scale $(SCALE) --runs $(RUNS)

# dbt-score of the metadata (docs/governance.md): every model, source, seed, exposure and macro,
# read from a manifest (make build's by default; make test passes the one of its own build).
SCORE_MANIFEST ?= target/manifest.json
SCORE_MIN := 9.5

.PHONY: score

score: $(STAMP)  ## dbt-score of the project's metadata, failing below 9.5 [SCORE_MANIFEST=target/manifest.json]
	@test -f $(SCORE_MANIFEST) || { echo "$(SCORE_MANIFEST) missing: run make build first" >&2; exit 1; }
	$(BIN)/dbt-score lint --manifest $(SCORE_MANIFEST) --fail-project-under $(SCORE_MIN) \
	    --show failing-items

lock:  ## re-resolve requirements.in into requirements.txt
	rm -rf /tmp/energy-dw-lock && $(PYTHON) -m venv /tmp/energy-dw-lock
	/tmp/energy-dw-lock/bin/pip install --quiet -r requirements.in
	{ echo '# Locked environment (pip freeze of requirements.in on Python 3.11). Regenerate with `make lock`.'; \
	  /tmp/energy-dw-lock/bin/pip freeze; } > requirements.txt

clean:  ## remove build output (keeps .venv)
	rm -rf target logs warehouse.duckdb
