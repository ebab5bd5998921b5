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
# make test writes only under target/ci/: its dbt target path, DuckDB file, logs and scratch
# roots. What `make build` made (target/*.json, target/warehouse.duckdb, warehouse.duckdb) is left
# byte for byte as it was, and `make test` proves it (energy_dw.untouched).
CI_TARGET := $(CURDIR)/target/ci
CI_DB := $(CI_TARGET)/ci.duckdb
CI_ENV := DBT_TARGET_PATH=$(CI_TARGET) DBT_LOG_PATH=$(CI_TARGET)/logs DBT_DUCKDB_PATH=$(CI_DB)
# `mf` reads only <project>/target/semantic_manifest.json: a scratch root whose target is target/ci.
CI_PROJECT := $(CI_TARGET)/project

.PHONY: help venv seeds build publish refresh bench bench-table test dbt-ci check-bigquery check-airflow check-project semantic validate scan-secrets scan-pii export-opower pytest readme-check lint lint-sql lint-py docs clean lock

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

# dbt writes the working file (target/warehouse.duckdb); readers open warehouse.duckdb, which only
# `publish` replaces, atomically, once a build has passed (README, "Readers during a build").
# Both builds start from the seeds (--full-refresh): an earlier file's incremental tables, built
# from other seeds or older code, must not leak into them. The daily incremental refresh is the
# scheduler's run over production data (docs/incremental.md).
build: $(STAMP)  ## build the warehouse from the seeds into target/warehouse.duckdb, then publish it as warehouse.duckdb
	$(DBT) seed --target dev --full-refresh
	$(DBT) build --target dev --full-refresh || { $(BIN)/python -m energy_dw.failures; exit 1; }
	$(BIN)/python -m energy_dw.publish

publish: $(STAMP)  ## publish the working file (target/warehouse.duckdb) as warehouse.duckdb, atomically
	$(BIN)/python -m energy_dw.publish

# The daily refresh, what a scheduler runs (orchestration/): the freshness gate, the incremental
# `dbt build` (never --full-refresh) into the working file, the GX validation, then publish
# (energy_dw/refresh.py). On failure: the failure report and a non-zero exit (make's own 2; the
# step's status, 3 to 6, is printed, and is the exit status of `python -m energy_dw.refresh`).
# RETRY=1 resumes a build that died (dbt retry, or the build again when the run left no results).
# A scheduler whose Python environment already holds the locked requirements (Cloud Composer
# installs them into its environment) runs `make refresh VENV=<its prefix> INSTALLED=1`.
REFRESH_VARS ?=
REFRESH_SELECT ?=
REFRESH_EXCLUDE ?=
RETRY ?=

refresh: $(if $(INSTALLED),,$(STAMP))  ## the daily refresh: freshness gate, incremental dbt build, validation, publish [REFRESH_VARS=yaml REFRESH_SELECT=... REFRESH_EXCLUDE=... RETRY=1 INSTALLED=1]
	$(BIN)/python -m energy_dw.refresh $(if $(REFRESH_VARS),--vars '$(REFRESH_VARS)') \
	    $(if $(REFRESH_SELECT),--select $(REFRESH_SELECT)) $(if $(REFRESH_EXCLUDE),--exclude $(REFRESH_EXCLUDE)) \
	    $(if $(RETRY),--retry)

dbt-ci: $(STAMP)  ## dbt seed + build (models, data tests, unit tests) into target/ci/ci.duckdb
	@mkdir -p $(CI_TARGET)
	$(CI_ENV) $(DBT) seed --target ci --full-refresh
	$(CI_ENV) $(DBT) build --target ci --full-refresh || { $(CI_ENV) $(BIN)/python -m energy_dw.failures; exit 1; }
	$(CI_ENV) $(DBT) docs generate --target ci --no-compile --quiet

check-project: $(STAMP)  ## every model and column described, a grain test per model, naming rules
	$(BIN)/python -m energy_dw.project_checks --target-path $(CI_TARGET)

semantic: $(STAMP)  ## validate the MetricFlow semantic layer (configs, and against target/ci/ci.duckdb)
	$(BIN)/python -m energy_dw.scratch_project $(CI_PROJECT) --target-path $(CI_TARGET)
	$(CI_ENV) DBT_TARGET=ci DBT_PROJECT_DIR=$(CI_PROJECT) $(BIN)/mf validate-configs

export-opower: $(STAMP)  ## write the Opower usage file into OUT (make export-opower OUT=dir [UTILITY=soenergy] [VERSION=1] [DB=warehouse.duckdb])
	@test -n "$(OUT)" || { echo "usage: make export-opower OUT=dir"; exit 2; }
	$(BIN)/python -m energy_dw.opower_export --out "$(OUT)" --utility "$(or $(UTILITY),soenergy)" \
	    --version "$(or $(VERSION),1)" --database "$(or $(DB),warehouse.duckdb)"

BQ_CHECK_ARGS ?=

check-bigquery: $(STAMP)  ## BigQuery without credentials: emulator build, strictness, same numbers as DuckDB, Python models on PySpark
	$(BIN)/python -m energy_dw.bigquery.emulator check $(BQ_CHECK_ARGS)

# The Airflow example (orchestration/airflow/) in Airflow's own virtualenv, .venv-airflow (from
# orchestration/airflow/requirements.txt; created once, reused): loaded in a DagBag, then its
# tasks run (dag.test()) against DuckDB on the seeds in a scratch root under target/ci/airflow.
check-airflow: $(STAMP)  ## the Airflow DAG in Airflow's own virtualenv: DagBag without import errors, its tasks run against DuckDB
	$(BIN)/python -m energy_dw.airflow_check check --work $(CI_TARGET)/airflow

validate: $(STAMP)  ## great-expectations suites over the built marts (Data Docs: target/ci/validation_docs)
	$(CI_ENV) $(BIN)/python -m energy_dw.validation --docs-dir $(CI_TARGET)/validation_docs

scan-secrets: $(STAMP)  ## secret scan of the repository (tracked and untracked-not-ignored files)
	$(BIN)/python -m energy_dw.secret_scan .

scan-pii: $(STAMP)  ## no mart column carries personal data in clear text (by name and by content)
	$(CI_ENV) $(BIN)/python -m energy_dw.pii_scan --target-path $(CI_TARGET)

pytest: $(STAMP)  ## Python tests (generator, model logic, checks) against target/ci/ci.duckdb
	$(CI_ENV) $(BIN)/pytest --ignore=tests/python/test_readme_commands.py

# The README's local commands, as written, after `make build` in a scratch root of the project
# (target/ci/readme: symlinks to the sources and .venv, its own target/ and warehouse.duckdb), so
# the check never replaces the developer's own build. DBT_* variables are unset, as for a new user.
README_ROOT := $(CI_TARGET)/readme

readme-check: $(STAMP)  ## run the README's DuckDB and metric commands after `make build`; compare their output
	$(BIN)/python -m energy_dw.scratch_project $(README_ROOT)
	env -u DBT_DUCKDB_PATH -u DBT_TARGET -u DBT_TARGET_PATH -u DBT_LOG_PATH \
	    $(MAKE) --no-print-directory -C $(README_ROOT) build
	README_ROOT=$(README_ROOT) $(BIN)/pytest tests/python/test_readme_commands.py

lint-py: $(STAMP)
	$(BIN)/ruff check energy_dw tests python_models dashboard
	$(BIN)/ruff format --check energy_dw tests python_models dashboard

# sqlfluff renders every model against an empty DuckDB file, so what it lints never depends on
# what was built before: incremental models are linted in their full-refresh form (their
# incremental branch is run by tests/python/test_incremental.py and checked for BigQuery by
# make check-bigquery).
LINT_DB := $(CI_TARGET)/lint.duckdb

lint-sql: $(STAMP)
	@mkdir -p $(CI_TARGET) && rm -f $(LINT_DB)
	DBT_DUCKDB_PATH=$(LINT_DB) DBT_TARGET_PATH=$(CI_TARGET)/lint DBT_LOG_PATH=$(CI_TARGET)/logs \
	    $(BIN)/sqlfluff lint models macros analyses tests

lint: lint-py lint-sql  ## ruff and sqlfluff (zero violations)

# Under make test a skipped test fails unless README.md lists it (energy_dw/pytest_skips.py).
test: export ENERGY_DW_STRICT_SKIPS = 1
test: $(STAMP)  ## every check: ruff, secrets, dbt build, BigQuery, structure, dbt-score, semantic layer, GX, PII, pytest, Airflow, same numbers at scale 0.01, dashboards in Chromium, sqlfluff, README
	$(BIN)/python -m energy_dw.untouched snapshot $(CI_TARGET)/untouched.json \
	    --inside target/ci --inside target/dashboard
	$(MAKE) --no-print-directory lint-py
	$(MAKE) --no-print-directory scan-secrets
	$(MAKE) --no-print-directory dbt-ci
	$(MAKE) --no-print-directory check-bigquery BQ_CHECK_ARGS="--work $(CI_TARGET)/bigquery \
	    --duckdb $(CI_DB) --duckdb-manifest $(CI_TARGET)/manifest.json"
	$(MAKE) --no-print-directory check-project
	$(MAKE) --no-print-directory score SCORE_MANIFEST=$(CI_TARGET)/manifest.json
	$(MAKE) --no-print-directory semantic
	$(MAKE) --no-print-directory validate
	$(MAKE) --no-print-directory scan-pii
	$(MAKE) --no-print-directory pytest
	$(MAKE) --no-print-directory check-airflow
	$(MAKE) --no-print-directory same-numbers SAME_NUMBERS_DATA=$(CI_TARGET)/scale_$(SAME_NUMBERS_SCALE)
	$(MAKE) --no-print-directory test-dashboard
	$(MAKE) --no-print-directory lint-sql
	$(MAKE) --no-print-directory readme-check
	$(BIN)/python -m energy_dw.untouched verify $(CI_TARGET)/untouched.json

# Same numbers (docs/incremental.md): every mart equals its committed checksum
# (tests/fixtures/mart_checksums/). The seeds' fixture is checked by make pytest over the CI build
# (tests/python/test_same_numbers.py); the generated scale 0.01 (data/scale_0.01, generated once)
# by make same-numbers: a full refresh, an incremental refresh of the last load day and a second
# refresh, each against the fixture. After a deliberate change of the numbers, make
# same-numbers-update rebuilds the CI warehouse and rewrites both fixtures (review the diff).
# make test runs it too, with the generated files under target/ci/ (nothing outside it changes).
SAME_NUMBERS_SCALE ?= 0.01
SAME_NUMBERS_WORK := $(CI_TARGET)/same_numbers
SAME_NUMBERS_DATA ?= data/scale_$(SAME_NUMBERS_SCALE)

.PHONY: same-numbers same-numbers-update

same-numbers: $(STAMP)  ## the marts of a generated scale 0.01 equal their committed checksums (full, incremental, second refresh)
	$(BIN)/python -m energy_dw.mart_checksums scale --scale $(SAME_NUMBERS_SCALE) --work $(SAME_NUMBERS_WORK) \
	    --data $(SAME_NUMBERS_DATA)

same-numbers-update: $(STAMP)  ## after a deliberate change of the numbers: rewrite both mart checksum fixtures (seeds, scale 0.01)
	$(MAKE) --no-print-directory dbt-ci
	$(CI_ENV) $(BIN)/python -m energy_dw.mart_checksums write
	$(BIN)/python -m energy_dw.mart_checksums scale --scale $(SAME_NUMBERS_SCALE) --work $(SAME_NUMBERS_WORK) \
	    --data $(SAME_NUMBERS_DATA) --update

docs: $(STAMP)  ## generate the dbt docs site into target/ (open with `dbt docs serve`)
	$(DBT) docs generate --target dev

SCALE ?= 0.01
RUNS ?= 3

bench: $(STAMP)  ## benchmark a generated scale: make bench SCALE=0.1 [RUNS=3] (docs/benchmarks.md)
	$(BIN)/python -m energy_dw.bench --scale $(SCALE) --runs $(RUNS)

bench-table: $(STAMP)  ## the per-model times of every scale benchmarked, as one Markdown table
	$(BIN)/python -m energy_dw.bench --table

# The dashboards (dashboard/app.py). `make dashboard` serves them on loopback over warehouse.duckdb,
# read-only (DASHBOARD_TARGET=prod: the BigQuery marts). The browser tests drive Debian's chromium
# through Playwright's executable_path (no browser download) over the CI build.
DASHBOARD_PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
DASHBOARD_SHOTS := $(CURDIR)/target/dashboard
DASHBOARD_DB ?= warehouse.duckdb
DASHBOARD_DBT_TARGET ?= target
DASHBOARD_RUNS ?= 5

.PHONY: dashboard chromium test-dashboard bench-dashboard

dashboard: $(STAMP)  ## the dashboards on http://127.0.0.1:8501 (DASHBOARD_PORT) over warehouse.duckdb, read-only
	$(BIN)/python -m dashboard.serve --server.headless true --server.address 127.0.0.1 \
	    --server.port $(DASHBOARD_PORT) --browser.gatherUsageStats false

chromium:
	@test -x $(CHROMIUM) || { \
	    if [ "$$(id -u)" = 0 ]; then \
	        echo "$(CHROMIUM) is missing: installing Debian's chromium package"; \
	        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	    else \
	        echo "The browser tests need Debian's chromium ($(CHROMIUM) is missing)." >&2; \
	        echo "Install it as root: sudo apt-get install -y chromium (or set CHROMIUM=path)." >&2; \
	        exit 1; \
	    fi; }

test-dashboard: $(STAMP) chromium  ## every dashboard page and filter in headless Chromium over the CI build; screenshots in target/dashboard/
	@test -f $(CI_DB) -a -f $(CI_TARGET)/manifest.json || $(MAKE) --no-print-directory dbt-ci
	$(CI_ENV) DASHBOARD_DUCKDB_PATH=$(CI_DB) DASHBOARD_DBT_TARGET_PATH=$(CI_TARGET) \
	    DASHBOARD_SCREENSHOTS=$(DASHBOARD_SHOTS) CHROMIUM=$(CHROMIUM) \
	    $(BIN)/pytest tests/browser -p no:cacheprovider

bench-dashboard: $(STAMP) chromium  ## page render times in Chromium: make bench-dashboard [DASHBOARD_DB=warehouse.duckdb DASHBOARD_DBT_TARGET=target DASHBOARD_RUNS=5]
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m energy_dw.bench_dashboard --database $(DASHBOARD_DB) \
	    --dbt-target-path $(DASHBOARD_DBT_TARGET) --runs $(DASHBOARD_RUNS)

# dbt-score of the metadata (docs/governance.md): every model, source, seed, exposure and macro,
# read from a manifest (make build's by default; make test passes the one of its own build).
SCORE_MANIFEST ?= target/manifest.json
SCORE_MIN := 9.5

.PHONY: score mutate mutate-python

# Mutation testing of the SQL models (docs/mutation.md): a report, like the benchmark, not part of
# make test. Builds the seeded warehouse once into target/mutation/, then per mutant rebuilds only
# the mutated model and what reads it, with their unit and data tests. Report: target/mutation/.
MUTATE_PER_MODEL ?= 12
MUTATE_SEED ?= 16
MUTATE_FOLDERS ?=

mutate: $(STAMP)  ## mutation testing of the models: make mutate [MUTATE_PER_MODEL=12 MUTATE_SEED=16 MUTATE_FOLDERS="models/marts/usage"]
	nice -n 5 $(BIN)/python -m energy_dw.mutation --per-model $(MUTATE_PER_MODEL) --seed $(MUTATE_SEED) \
	    $(if $(MUTATE_FOLDERS),--folders $(MUTATE_FOLDERS))
	$(MAKE) --no-print-directory mutate-python

# The Python models and the Opower export (docs/mutation/python.md): mutmut, every mutant, only the
# pytest tests that call the mutated function, no dbt build. Report: target/mutation/python/.
mutate-python: $(STAMP)  ## mutation testing of the Python models and the Opower export (mutmut)
	nice -n 5 $(BIN)/python -m energy_dw.mutation_python --work target/mutation/python


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
	rm -rf target logs warehouse.duckdb warehouse.duckdb.wal .warehouse.duckdb.*.publishing
