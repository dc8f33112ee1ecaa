# Everything a fresh machine needs is installed by these targets:
# a Python venv under .venv/ with the pinned tools of requirements.txt
# (cargo-lambda, cfn-lint, moto, boto3), cognito-local from package-lock.json
# (npm ci), and the arm64 Rust target for release builds.

SHELL        := /bin/bash
.SHELLFLAGS  := -eu -o pipefail -c
VENV         := .venv
PYTHON       := $(VENV)/bin/python
# The scripts and tests import the local stack module from scripts/.
PY           := PYTHONPATH=scripts $(PYTHON)
CARGO_LAMBDA := $(VENV)/bin/cargo-lambda
CFN_LINT     := $(VENV)/bin/cfn-lint
# checkov has a venv of its own: its pins differ from moto's and cfn-lint's.
CHECKOV_VENV := .venv-checkov
# The trigger list, as each trigger package declares it ([package.metadata.trigger]).
TRIGGERS     := python3 scripts/triggers.py
FUNCTIONS    := $(shell $(TRIGGERS) packages)
# cargo-lambda finds zig (for cross-compiling to arm64) through the venv on PATH.
WITH_VENV    := PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

.PHONY: help setup test lint fmt build sizes bench bench-import bench-cold demo samples sam-invoke deploy clean $(addprefix invoke-,$(FUNCTIONS))

help:
	@echo "make demo            a local user pool (cognito-local) driving the real triggers: sign-up to migration"
	@echo "make samples         every sample event through the real triggers (cargo lambda watch), one line each"
	@echo "make test            template lint (cfn-lint, checkov), doc links, the end-to-end journey, every sample, the logs at TRACE, every cargo test"
	@echo "make lint            cargo fmt --check, clippy -D warnings, cfn-lint"
	@echo "make build           release arm64 binaries for Lambda (target/lambda/<fn>/bootstrap)"
	@echo "make bench           handlers vs serde; user-migration: unknown-user vs wrong-password time, hash costs"
	@echo "make bench-import    legacy-import --to cognito-csv: rows per second and peak RSS at 100,000 and 1,000,000 rows"
	@echo "make bench-cold      cold start, first answer, warm invoke and peak RSS of every trigger beside two floors"
	@echo "make invoke-<fn>     cargo lambda invoke on each sample event of <fn>: $(FUNCTIONS)"
	@echo "make sam-invoke      sam build, then sam local invoke of every function (needs Docker)"
	@echo "make deploy          sam build && sam deploy --guided"

setup: $(VENV)/.installed $(CHECKOV_VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	python3 -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# cognito-local, pinned by package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Tests that need DynamoDB or SES get a moto server on a free loopback port
# (MOTO_ENDPOINT); it is stopped by its PID when the tests end.
test: setup
	$(CFN_LINT) template.yaml
	$(CHECKOV_VENV)/bin/python tests/checkov.py
	$(PYTHON) tests/template_checks.py
	$(PYTHON) tests/layout_checks.py
	$(PYTHON) tests/doc_links.py
	$(PY) tests/journey.py
	$(PY) tests/samples.py
	$(PY) tests/no_leak.py
	$(PY) scripts/with_moto.py cargo test --workspace

lint: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	$(CFN_LINT) template.yaml

fmt:
	cargo fmt --all

build: setup
	rustup target add aarch64-unknown-linux-gnu
	$(WITH_VENV) $(CARGO_LAMBDA) lambda build --release --arm64 $(shell $(TRIGGERS) build-args)
	@$(MAKE) --no-print-directory sizes

# Targets, by what a function links (`links` in its package's trigger metadata): at most
# 3 MB without the AWS SDK, 8 MB with it, 20 MB with the AWS Encryption SDK.
SDK_FREE      = $(shell $(TRIGGERS) bins none)
ESDK          = $(shell $(TRIGGERS) bins esdk)
sizes:
	@for f in $(shell $(TRIGGERS) bins); do \
	  size=$$(stat -c %s target/lambda/$$f/bootstrap); \
	  case " $(SDK_FREE) " in *" $$f "*) target=3000000;; *) target=8000000;; esac; \
	  case " $(ESDK) " in *" $$f "*) target=20000000;; esac; \
	  verdict=within; [ "$$size" -le "$$target" ] || verdict=OVER; \
	  printf '%-22s %9d bytes  %-6s %d\n' "$$f" "$$size" "$$verdict" "$$target"; \
	done

# Benchmarks (optimized, not part of `make test`): user-migration answer times, the
# pre-signup disposable-domain lookup, and the handlers against serde.
bench: setup
	cargo bench -p pre-signup --bench disposable_list
	cargo bench -p user-migration --bench answer_time
	cargo bench -p user-migration --bench hash_costs
	cargo bench --bench handler $(addprefix -p ,$(FUNCTIONS))
	$(PYTHON) scripts/bench_report.py

# The import file writer at a million rows (optimized, not part of `make test`).
bench-import:
	cargo build --profile bench -p legacy-import
	python3 scripts/bench_cognito_csv.py

# Cold starts (optimized, not part of `make test`): every trigger binary and two floors
# under a Lambda Runtime API stand-in, 9 interleaved rounds, SDK calls to a local moto.
bench-cold: setup
	$(PY) scripts/bench_cold.py

# The main job: a local user pool (cognito-local) driving the real triggers, with
# moto as DynamoDB and SES; every step printed, everything stopped at the end.
demo: setup
	$(PY) tests/journey.py

# Every sample event under events/ through the triggers, one line each.
samples: setup
	$(PY) scripts/invoke.py samples

$(addprefix invoke-,$(FUNCTIONS)): invoke-%: setup
	$(PY) scripts/invoke.py $*

# SAM CLI is large, so it is installed only for sam-invoke and deploying, in a venv
# of its own (it pins older boto3 and click than the tools of .venv/).
SAM_VENV     := .venv-sam
SAM          := $(SAM_VENV)/bin/sam
$(SAM_VENV)/.installed: requirements-deploy.txt | setup
	python3 -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-deploy.txt
	touch $@

# sam build (debug, this machine's architecture) and sam local invoke of every
# function with one sample event, answers checked; needs a Docker daemon. CI adds
# SAM_INVOKE_FLAGS=--stand-in (a local base image: the Lambda one cannot be pulled there).
sam-invoke: $(SAM_VENV)/.installed
	$(PY) tests/sam_invoke.py $(SAM_INVOKE_FLAGS)

deploy: $(SAM_VENV)/.installed
	rustup target add aarch64-unknown-linux-gnu
	$(WITH_VENV) $(SAM) build
	# Named IAM roles: the identity pool's app roles (IdentityPool=true) are STACK-app-ROLE.
	$(WITH_VENV) $(SAM) deploy --guided --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM

clean:
	cargo clean
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) node_modules .aws-sam
