# Micro-Wish developer tasks (GNU make; recipes run under /bin/sh).
#
#   make venv          dev venv (.venv, or VENV=dir) from requirements-dev.txt
#   make test          pytest, serial (PYTEST_ARGS="-n auto -m 'not e2e'" etc.), with branch coverage of shared/
#                      gated at 90 % total, 80 % per module (COVERAGE=0 for a partial run without the gate)
#   make run           local runtime on moto (PORT, default 3000), the web app at /app/ (built if Node is there);
#                      its data is kept in STATE (default .local/state) across restarts; FRESH=1 starts empty
#   make web           build the web app (web/dist: npm ci + vite build); `make web-types` regenerates its API types
#   make web-upload    upload web/dist to the stack's WebBucket (STACK=...) with the right cache headers
#   make replay-dlq    replay/redrive every dead-letter queue: of STACK=... (REGION=...), else of `make run`
#   make lint          ruff check + ruff format --check + mypy + cfn-lint (SAM and translated) + sam validate
#   make build         sam build (tool venv, Python 3.13 on PATH), then bytecode for the layer and functions
#   make bench         every infra/bench/*.py module (python -m infra.bench.NAME)
#   make fuzz          the fuzzer (tests/e2e/test_fuzz.py) longer: FUZZ_EXAMPLES per operation, FUZZ_SEED
#   make chaos         the kill test (tests/e2e/test_chaos.py) longer: CHAOS_REQUESTS keyed requests, CHAOS_KILLS
#   make clean         build output and caches; `make distclean` also drops the venvs

SHELL := /bin/sh
.DEFAULT_GOAL := help

# --- Python 3.13 (the Lambda runtime) -------------------------------------------------------
# In order: a *working* python3.13 on PATH (a pyenv shim for a version that is not selected
# exists but fails, so we run it), the newest $(pyenv root)/versions/3.13*/bin/python3.13,
# else python3. Resolved to the real executable once; `make PYTHON=...` overrides it.
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell \
  if p=$$(python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) && [ -n "$$p" ]; then \
    echo "$$p"; \
  elif command -v pyenv >/dev/null 2>&1 && \
       p=$$(ls -d "$$(pyenv root)"/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1) && \
       [ -n "$$p" ]; then \
    echo "$$p"; \
  else \
    echo python3; \
  fi)
endif

VENV ?= .venv
VENV_STAMP := $(VENV)/.stamp
SAM_VENV ?= .tools/sam
SAM_STAMP := $(SAM_VENV)/.stamp
# aws-sam-cli pins boto3 and cfn-lint, so it lives in a tool venv of its own.
SAM_CLI_SPEC ?= aws-sam-cli>=1.170.0
SAM := $(SAM_VENV)/bin/sam
TEMPLATE ?= template.yaml
BUILD_DIR ?= build
CFN_JSON := $(BUILD_DIR)/template.cfn.json
PORT ?= 3000
PYTEST_ARGS ?=
# Coverage of shared/ (pyproject [tool.coverage]): pytest-cov collects, infra/tools/coverage_gate.py
# judges (the total and every module), so pytest's own fail_under check is off.
COVERAGE ?= 1
COV_ARGS := $(if $(filter 1,$(COVERAGE)),--cov --cov-report= --cov-fail-under=0)
RUFF_PATHS := $(wildcard functions shared infra tests)
BENCHES := $(sort $(filter-out __init__ __main__,$(basename $(notdir $(wildcard infra/bench/*.py)))))

# sam validate --lint and sam build run offline, but botocore wants a region and sam must not
# phone home; dummy credentials keep any credential lookup from hanging on instance metadata.
SAM_ENV := AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true \
  SAM_CLI_TELEMETRY=0

.PHONY: web web-types web-types-check web-unit web-maybe browser-deps test-py web-upload replay-dlq
.PHONY: help venv test fuzz chaos run lint lint-ruff lint-format lint-types lint-cfn lint-cfn-translated sam-validate sam-tools \
  build bench clean distclean python-info

help:
	@sed -n '3,/^$$/s/^#//p' $(firstword $(MAKEFILE_LIST))

python-info:
	@echo "PYTHON=$(PYTHON) ($$($(PYTHON) --version 2>&1))"

# --- dev venv --------------------------------------------------------------------------------
venv: $(VENV_STAMP)

$(VENV_STAMP): requirements-dev.txt shared/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# --- sam tool venv ---------------------------------------------------------------------------
sam-tools: $(SAM_STAMP)

$(SAM_STAMP):
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet '$(SAM_CLI_SPEC)'
	touch $@

# --- tests -----------------------------------------------------------------------------------
# Serial by default: 2 cores, and e2e tests start servers. pytest exit 5 (nothing collected)
# is a failure here, and is said out loud. The coverage gate prints the last line (also when a test
# failed, for the figures; the exit status is then the tests').
# The web app's checks come first (types in step with the API, unit tests, a fresh build), then
# pytest, whose tests/browser drive Chromium against the built app.
test: $(VENV_STAMP) web-types-check web-unit web browser-deps test-py

test-py: $(VENV_STAMP)
	@rc=0; $(VENV)/bin/python -m pytest $(COV_ARGS) $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests (exit 5): failing" >&2; fi; \
	if [ -d $(SCREENSHOTS) ]; then echo "make test: screenshots of every page of the web app: $(SCREENSHOTS)/"; fi; \
	if [ -n "$(COV_ARGS)" ] && [ $$rc -le 1 ]; then \
	  $(VENV)/bin/python -m infra.tools.coverage_gate || { [ $$rc -ne 0 ] || rc=1; }; \
	fi; \
	exit $$rc

# The fuzzer runs in `make test` with a few examples per operation; here with many more.
FUZZ_EXAMPLES ?= 100
FUZZ_SEED ?= 14
fuzz: $(VENV_STAMP)
	MICROWISH_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) MICROWISH_FUZZ_SEED=$(FUZZ_SEED) \
	  $(VENV)/bin/python -m pytest tests/e2e/test_fuzz.py $(PYTEST_ARGS)

# The kill test runs in `make test` short (20 keyed requests, 10 SIGKILLs); here with hundreds of kills.
# -rxX -s: the figures it prints.
CHAOS_REQUESTS ?= 600
CHAOS_KILLS ?= 300
CHAOS_SEED ?= 16
chaos: $(VENV_STAMP)
	CHAOS_REQUESTS=$(CHAOS_REQUESTS) CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_SEED=$(CHAOS_SEED) \
	  $(VENV)/bin/python -m pytest tests/e2e/test_chaos.py -s -rxX $(PYTEST_ARGS)

# The data outlives the runtime in $(STATE) (see infra/local/journal.py); FRESH=1 forgets it first.
STATE ?= .local/state
run: $(VENV_STAMP) web-maybe
	PORT=$(PORT) exec $(VENV)/bin/python -m infra.local --state-dir "$(STATE)" $(if $(filter-out 0,$(FRESH)),--fresh)

# --- the web app (web/: Vue 3 + Vant 4, built by Vite) ----------------------------------------
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
  web/tsconfig.json web/package.json
WEB_DEPS := web/node_modules/.package-lock.json
WEB_STAMP := web/dist/index.html
SCREENSHOTS ?= build/screenshots
OPENAPI_JSON := $(BUILD_DIR)/openapi.json
NODE_HINT := Node.js 20+ and npm are not installed: the API runs, but the web app at /app/ needs them \
  (Debian/Ubuntu: apt-get install nodejs npm; or https://nodejs.org)

$(WEB_DEPS): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_STAMP): $(WEB_DEPS) $(WEB_SOURCES)
	cd web && npx vite build --logLevel warn
	touch $@

web: $(WEB_STAMP)

# `make run` without Node still serves the API, and says in one line what to install.
web-maybe:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory web; else echo "$(NODE_HINT)"; fi

# The API's types come from the API: the OpenAPI document built in-process (the one /openapi.json
# serves), then openapi-typescript. web-types-check fails when the committed types drifted.
$(OPENAPI_JSON): $(VENV_STAMP) FORCE
	$(VENV)/bin/python -m infra.web.openapi_dump -o $@ >/dev/null

web-types: $(OPENAPI_JSON) $(WEB_DEPS)
	cd web && npx openapi-typescript ../$(OPENAPI_JSON) -o src/api/schema.d.ts

web-types-check: $(OPENAPI_JSON) $(WEB_DEPS)
	@cd web && npx openapi-typescript ../$(OPENAPI_JSON) -o ../$(BUILD_DIR)/schema.check.d.ts >/dev/null 2>&1 && \
	if cmp -s src/api/schema.d.ts ../$(BUILD_DIR)/schema.check.d.ts; then echo "web types match the API"; \
	else diff -u src/api/schema.d.ts ../$(BUILD_DIR)/schema.check.d.ts | head -40; \
	  echo "web/src/api/schema.d.ts differs from the API's OpenAPI document: run make web-types" >&2; exit 1; fi
	cd web && npx vue-tsc --noEmit

web-unit: $(WEB_DEPS)
	cd web && npx vitest run

# Chromium and CJK fonts for tests/browser: installed when we are root, else the command is said.
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="chromium"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "browser tests need: sudo apt-get install -y$$missing" >&2; fi; \
	fi

# Deployed hosting: the build into the stack's WebBucket (STACK=name, AWS_REGION as for sam deploy).
web-upload: $(VENV_STAMP) web
	@[ -n "$(STACK)" ] || { echo "make web-upload STACK=<stack name> [REGION=...]" >&2; exit 2; }
	$(VENV)/bin/python -m infra.web.upload --stack $(STACK) $(if $(REGION),--region $(REGION))

FORCE:

# --- operations ------------------------------------------------------------------------------
# README "Runbook: dead letters". STACK=name: invoke the stack's ReplayDeadLettersFunction (AWS_REGION or
# REGION as for sam deploy); without STACK: the `make run` runtime on PORT. QUEUES="event_router lease"
# picks queues; DRY_RUN=1 only counts what waits.
replay-dlq: $(VENV_STAMP)
	$(VENV)/bin/python -m infra.ops.replay_dlq \
	  $(if $(STACK),--stack $(STACK) $(if $(REGION),--region $(REGION)),--local http://127.0.0.1:$(PORT)) \
	  $(foreach q,$(QUEUES),--queue $(q)) $(if $(DRY_RUN),--dry-run)

# --- lint ------------------------------------------------------------------------------------
# Separate steps so that `make -k lint` reports every kind of finding in one go.
lint: lint-ruff lint-format lint-types lint-cfn lint-cfn-translated sam-validate

lint-ruff: $(VENV_STAMP)
	$(VENV)/bin/ruff check $(RUFF_PATHS)

# Checks only; `$(VENV)/bin/ruff format $(RUFF_PATHS)` formats.
lint-format: $(VENV_STAMP)
	$(VENV)/bin/ruff format --check $(RUFF_PATHS)

# mypy over shared/, functions/, infra/ (the paths and the strictness are in pyproject.toml).
lint-types: $(VENV_STAMP)
	$(VENV)/bin/mypy

# The template must come before -a: -a swallows the arguments after it.
lint-cfn: $(VENV_STAMP)
	$(VENV)/bin/cfn-lint $(TEMPLATE) -a cfn_lint_serverless.rules

# cfn-lint on the SAM file misses e.g. a !Ref to a missing resource; on the translation it does not.
lint-cfn-translated: $(VENV_STAMP)
	mkdir -p $(BUILD_DIR)
	$(VENV)/bin/python -m infra.local.translate $(TEMPLATE) -o $(CFN_JSON)
	$(VENV)/bin/cfn-lint $(CFN_JSON)

sam-validate: $(SAM_STAMP)
	$(SAM_ENV) $(SAM) validate --lint --template $(TEMPLATE) --region us-east-1

# --- build -----------------------------------------------------------------------------------
# sam build looks for python3.13 on PATH: put the chosen interpreter's directory first. Then the
# build gets its bytecode (unchecked-hash .pyc, by that same Python 3.13: Lambda's /opt and /var/task
# are read-only, so without it every cold start compiles), and the layer drops boto3's closure
# (infra/tools/precompile.py). Deploy what `make build` built: a bare `sam build` ships no bytecode.
build: $(SAM_STAMP)
	PATH="$$(dirname "$$($(PYTHON) -c 'import sys; print(sys.executable)')"):$$PATH" \
	  $(SAM_ENV) $(SAM) build --template $(TEMPLATE)
	$(PYTHON) -m infra.tools.precompile .aws-sam/build --template $(TEMPLATE)

# --- benchmarks ------------------------------------------------------------------------------
bench: $(VENV_STAMP) web-maybe
	@set -e; for b in $(BENCHES); do \
	  echo "=== python -m infra.bench.$$b"; $(VENV)/bin/python -m infra.bench.$$b; \
	done

# --- housekeeping ----------------------------------------------------------------------------
clean:
	rm -rf $(BUILD_DIR) .aws-sam .pytest_cache .ruff_cache .mypy_cache .hypothesis .schemathesis .coverage .coverage.*
	find . -path ./.venv -prune -o -path ./.tools -prune -o -path ./.git -prune -o \
	  -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .tools
