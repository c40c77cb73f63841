# port4me-kit: the reference implementation and conformance kit for port4me spec v1.
# The interpreter of .venv: python3, or where python3 lives in a folder other users may not
# enter (a pyenv under /root, mode 700), the first Python 3.9+ with venv that they can run
# (Debian's /usr/bin/python3): the kit runs the installed command as other users for the
# cases that need one, and cannot start an interpreter they cannot reach.
PYTHON ?= $(shell sh tools/find_python.sh --for-others 2>/dev/null || echo python3)
VENV := .venv
UPSTREAM := .venv-upstream
BIN := $(VENV)/bin
NODE ?= node
NPM ?= npm

.PHONY: demo install setup upstream js-tools test test-fast test-python test-mutation test-js test-js-unit test-js-kit \
	compat lint lint-python lint-js format bench bench-js bench-limits vectors mutation mutation-sample clean node browser

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
	@sh tools/find_python.sh --others-run $(BIN)/python || echo "The installed command's verdict is incomplete:" \
		"some cases run it as another user, who cannot start $(BIN)/python ($$(readlink -f $(BIN)/python)): a folder on" \
		"the way is closed to them. For a complete one: make clean demo PYTHON=/path/to/python3, in a folder others can enter."

## install: the reference (port4me-kit) and the runner (port4me-conformance, conformance/), editable, in .venv,
## with the test and dev tools (the dependency groups of pyproject.toml: pip 25.1 or newer reads them)
install: $(BIN)/port4me $(BIN)/port4me-conformance

$(BIN)/port4me: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group dev
	@mkdir -p reports
	@touch $@

$(BIN)/port4me-conformance: conformance/pyproject.toml $(BIN)/port4me
	$(BIN)/python -m pip install --quiet -e ./conformance
	@touch $@

## setup: the system packages the tests use, from the distribution where they are missing (apt-get, as root or
## with sudo -n); elsewhere it says what is missing and how to get it. `make test` runs it first.
##   chromium  the HTML report in a real browser      nodejs, npm  the JavaScript port (Node 18 or newer), its linter
## A part that needs another package adds it here: SETUP_PACKAGES += PACKAGE:COMMAND (the command shows it is there).
SETUP_PACKAGES := chromium:chromium nodejs:node npm:npm
setup:
	@sh tools/setup.sh $(SETUP_PACKAGES)

# The old names of parts of setup.
browser node: setup

## upstream: upstream port4me 0.7.0 from PyPI, in a separate venv (its module is also named port4me)
upstream: $(UPSTREAM)/bin/python
$(UPSTREAM)/bin/python:
	$(PYTHON) -m venv $(UPSTREAM)
	$(UPSTREAM)/bin/python -m pip install --quiet port4me==0.7.0

## js-tools: the JavaScript port's development tools (ESLint, from js/package-lock.json) in js/node_modules
js-tools: js/node_modules/.package-lock.json
js/node_modules/.package-lock.json: js/package.json js/package-lock.json
	cd js && $(NPM) ci --silent --no-audit --no-fund
	@touch $@

## test: every test, one summary line a part (each part's whole output: reports/test/PART.log)
## The parts run side by side, TEST_JOBS at once (default: the cores + 1: the parts wait on
## child processes and sockets as much as they compute). A part is a make target of its own:
## `make test-python` runs one with its whole output. A new part adds itself here:
##   TEST_PARTS += test-harness      (and its own rule: test-harness: install ...)
TEST_PARTS := test-python test-mutation test-js-kit test-js-unit lint
TEST_JOBS ?= $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) + 1 )))
test: setup install upstream js-tools
	@$(BIN)/python tools/test_parts.py --jobs=$(TEST_JOBS) --logs=reports/test $(TEST_PARTS)

## test-fast: a one-minute check while editing: lint and the Python tests not marked slow or upstream
test-fast: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow and not upstream" -n $(PYTEST_WORKERS)

## test-python: the Python suite (tests/), PYTEST_WORKERS processes (pytest-xdist), upstream cross-checks
## and the HTML report in a real browser included; PYTEST_ARGS adds options (e.g. PYTEST_ARGS='-k runner')
PYTEST_WORKERS ?= 2
test-python: install upstream
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## test-mutation: the fixed mutation sample (below): a survivor that is not listed, or a listed mutant now killed, fails
test-mutation: mutation-sample

## test-js: the JavaScript port (js/): its node tests, then the conformance kit against its command, every case
test-js: test-js-unit test-js-kit

test-js-unit: setup
	cd js && $(NODE) --test test/*.test.js

test-js-kit: install setup
	$(BIN)/port4me-conformance --impl=js="'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me.cjs'" --require-conformant \
		--quiet --json=reports/js-conformance.json

## compat: the suite again on another Python, e.g. the oldest supported: make compat OLDEST=/path/to/python3.9
compat: upstream
	$(OLDEST) -m venv .venv-oldest
	.venv-oldest/bin/python -m pip install --quiet --upgrade pip
	.venv-oldest/bin/python -m pip install --quiet -e . -e ./conformance --group test
	.venv-oldest/bin/python -m pytest -q -p no:cacheprovider -n $(PYTEST_WORKERS) --deselect tests/test_packaging.py

## lint: ruff (check and format) over the Python, ESLint over the JavaScript, and the JS bundle up to date
lint: lint-python lint-js

lint-python: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-js: js-tools
	cd js && $(NPM) run --silent lint
	cd js && $(NODE) tools/bundle.js --check
	@echo "ESLint: no problems; js/bin/port4me.cjs is what tools/bundle.js makes of js/lib/"

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: speed ratios against upstream port4me 0.7.0, measured in the same run
bench: install upstream
	$(BIN)/python bench/run.py --upstream-python=$(UPSTREAM)/bin/python --json=reports/bench.json

## bench-js: the JavaScript command's start-up and speed as ratios to the reference's, measured in the same run
bench-js: install setup
	$(BIN)/python bench/js_port.py --node="$$(command -v $(NODE))" --reference=$(BIN)/port4me --json=reports/bench-js.json

bench: bench-js

## bench-limits: how closely the runner's and the toolkit's limits hold (time, memory), as ratios to a baseline of the same run
bench-limits: install
	$(BIN)/python bench/limits.py --json=reports/bench-limits.json

bench: bench-limits

## mutation: every single-point mutant of the modules that decide v1 output, run against the vectors
## (3 to 5 minutes on 2 cores; fails while a survivor is neither killed nor listed in tools/mutation/equivalent.yaml)
mutation: install
	$(BIN)/python -m tools.mutation --json=reports/mutation.json $(MUTATION_ARGS)

## mutation-sample: the fixed CI sample, one mutant in 8 by a hash of its ID
mutation-sample: install
	$(BIN)/python -m tools.mutation --sample --quiet --json=reports/mutation-sample.json $(MUTATION_ARGS)

## vectors: regenerate vectors/ (YAML and JSON) and spec/index.md with tools/vectorgen
vectors: install
	$(BIN)/python tools/make_vectors.py

clean:
	rm -rf $(VENV) $(UPSTREAM) .venv-oldest reports build *.egg-info conformance/*.egg-info conformance/build \
		.pytest_cache .ruff_cache .hypothesis js/node_modules
