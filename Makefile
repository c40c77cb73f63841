# port4me-kit: the reference implementation and conformance kit for port4me spec v1.
PYTHON ?= python3
VENV := .venv
UPSTREAM := .venv-upstream
BIN := $(VENV)/bin

.PHONY: demo install browser upstream test compat lint format bench vectors clean

## demo: install, then show your port and the reference's conformance report (the main job)
demo: install
	@echo "Your port4me port:"
	@$(BIN)/port4me
	@echo
	@echo "Conformance of the reference implementation (port4me spec v1.1 vectors):"
	@$(BIN)/port4me-conformance --impl=reference=$(BIN)/port4me --impl=in-process=inprocess:port4me.cli:main --quiet \
		--html=reports/reference.html --markdown=reports/reference-matrix.md --json=reports/reference.json
	@echo
	@echo "Open reports/reference.html in a browser: the matrix by area and requirement, every result that did not pass."
	@echo "(As the installed command the reference may skip cases this host cannot impose; in-process, a forked child imposes them.)"

## install: the reference (port4me-kit) and the runner (port4me-conformance, conformance/), editable, in .venv
install: $(BIN)/port4me $(BIN)/port4me-conformance

$(BIN)/port4me: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@mkdir -p reports
	@touch $@

$(BIN)/port4me-conformance: conformance/pyproject.toml $(BIN)/port4me
	$(BIN)/python -m pip install --quiet -e ./conformance
	@touch $@

## browser: Debian's chromium, for the test that opens the HTML report (CI runs as root on a fresh machine)
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		echo "no chromium and cannot install it: the HTML report's browser test will be skipped"

## upstream: upstream port4me 0.7.0 from PyPI, in a separate venv (its module is also named port4me)
upstream: $(UPSTREAM)/bin/python
$(UPSTREAM)/bin/python:
	$(PYTHON) -m venv $(UPSTREAM)
	$(UPSTREAM)/bin/python -m pip install --quiet port4me==0.7.0

## test: lint, then every test (including upstream cross-checks and the HTML report in a real browser)
test: install upstream browser lint
	$(BIN)/python -m pytest

## compat: the suite again on another Python, e.g. the oldest supported: make compat OLDEST=/path/to/python3.9
compat: upstream
	$(OLDEST) -m venv .venv-oldest
	.venv-oldest/bin/python -m pip install --quiet --upgrade pip
	.venv-oldest/bin/python -m pip install --quiet -e '.[test]' -e ./conformance
	.venv-oldest/bin/python -m pytest -p no:cacheprovider --deselect tests/test_packaging.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: speed ratios against upstream port4me 0.7.0, measured in the same run
bench: install upstream
	$(BIN)/python bench/run.py --upstream-python=$(UPSTREAM)/bin/python --json=reports/bench.json

## vectors: regenerate vectors/ (YAML and JSON) and the generated parts of the spec with tools/vectorgen
vectors: install
	$(BIN)/python tools/make_vectors.py

clean:
	rm -rf $(VENV) $(UPSTREAM) .venv-oldest reports build *.egg-info conformance/*.egg-info conformance/build .pytest_cache .ruff_cache .hypothesis
