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
	compat lint lint-python lint-js format bench bench-js bench-diagnosis bench-limits vectors mutation mutation-sample clean node browser \
	differential

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
	$(BIN)/port4me-conformance --impl=js-harness=harness-cli:"'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me-harness.js'" \
		--impl=js-library=harness-library:"'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me-harness.js'" \
		--require-conformant --quiet --json=reports/js-harness-conformance.json

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

## bench-diagnosis: how soon a wrong implementation hears its answer (--max-failures=1, --smoke) as ratios to its full run
bench-diagnosis: install
	$(BIN)/python bench/diagnosis.py --json=reports/bench-diagnosis.json

bench: bench-diagnosis

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

## differential: the reference, the JS port and the generator's naive model on DIFFERENTIAL_EXAMPLES generated calls
## (default 20000; `make test` runs 300 of them in tests/test_differential.py); any disagreement fails
DIFFERENTIAL_EXAMPLES ?= 20000
differential: install setup
	DIFFERENTIAL_EXAMPLES=$(DIFFERENTIAL_EXAMPLES) $(BIN)/python -m pytest -q -n0 tests/test_differential.py

## vectors: regenerate vectors/ (YAML and JSON) and spec/index.md with tools/vectorgen
vectors: install
	$(BIN)/python tools/make_vectors.py

clean:
	rm -rf $(VENV) $(UPSTREAM) .venv-oldest reports build *.egg-info conformance/*.egg-info conformance/build \
		.pytest_cache .ruff_cache .hypothesis js/node_modules

# ---- Upstream Bash 0.7.1 and R 0.7.1, from their sources (../shared/upstream/src, or PORT4ME_UPSTREAM_SRC)
PORT4ME_UPSTREAM_SRC ?= $(abspath $(CURDIR)/../shared/upstream/src)
UPSTREAM_R_LIB := .upstream-r
# Another user (the unprivileged and nobody cases) may not enter /root or a mode-700 home: the
# sources are copied where every user can read them.
UPSTREAM_COPY := $(abspath .upstream-src)
R_HARNESS = $(CURDIR)/conformance/port4me_conformance/harnesses/upstream_r.R
UPSTREAM_R_IMPL = --impl=upstream-r=harness-library:"env R_LIBS=$(abspath $(UPSTREAM_R_LIB)) Rscript --default-packages=NULL $(R_HARNESS)"
UPSTREAM_BASH_IMPL = --impl=upstream-bash="bash $(UPSTREAM_COPY)/bash/port4me"

.PHONY: r upstream-sources upstream-r upstream-bash upstream-r-full

## r: R (Debian's r-base-core) and its JSON package (r-cran-jsonlite), installed with apt-get where missing
r:
	@if ! { command -v Rscript >/dev/null && Rscript -e 'library(jsonlite)' >/dev/null 2>&1; }; then \
	    if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi; \
	    if [ "$$sudo" != none ] && command -v apt-get >/dev/null; then \
	        echo "R or its jsonlite is missing: installing Debian's r-base-core and r-cran-jsonlite"; \
	        $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends r-base-core r-cran-jsonlite >/dev/null; \
	    fi; \
	fi; \
	command -v Rscript >/dev/null || { echo "make: upstream R needs R (Debian: r-base-core)" >&2; exit 1; }

upstream-sources:
	@[ -d "$(PORT4ME_UPSTREAM_SRC)/bash" ] && [ -d "$(PORT4ME_UPSTREAM_SRC)/r" ] || \
	    { echo "make: no upstream sources at $(PORT4ME_UPSTREAM_SRC) (set PORT4ME_UPSTREAM_SRC)" >&2; exit 1; }
	@rm -rf $(UPSTREAM_COPY) && mkdir -p $(UPSTREAM_COPY) && cp -r "$(PORT4ME_UPSTREAM_SRC)/bash" "$(PORT4ME_UPSTREAM_SRC)/r" $(UPSTREAM_COPY)/ \
	    && chmod -R a+rX $(UPSTREAM_COPY)

## upstream-r: upstream's R package 0.7.1, installed from its source into .upstream-r (R CMD INSTALL)
upstream-r: r upstream-sources
	@mkdir -p $(UPSTREAM_R_LIB)
	R CMD INSTALL --no-docs --library=$(UPSTREAM_R_LIB) $(UPSTREAM_COPY)/r >/dev/null
	@chmod -R a+rX $(UPSTREAM_R_LIB)

## upstream-bash: upstream Bash 0.7.1 through every case, with its shipped known differences (over an hour);
## a call still running at 60 s is reported as a timeout (Bash is slow, not different), never a known difference
upstream-bash: install upstream-sources
	$(BIN)/port4me-conformance $(UPSTREAM_BASH_IMPL) --known-differences=upstream-bash-0.7.1 --timeout=60 \
		--allow-timeouts --json=reports/upstream-bash.json

## upstream-r-full: upstream R 0.7.1's library through every case, with its known differences and a long time
## limit, but the entries named "does not finish:" (each would hold a worker for the whole limit; make test
## runs them at 60 s)
upstream-r-full: install upstream-r
	$(BIN)/port4me-conformance $(UPSTREAM_R_IMPL) --known-differences=upstream-r-0.7.1 --timeout=600 \
		--allow-timeouts --json=reports/upstream-r.json $$($(BIN)/python tools/never_finishing.py upstream-r-0.7.1)

# make test: upstream R's library and Bash's fixed selection where the sources are (tests/test_upstream_harness.py
# runs them; they skip, saying why, without the sources).
test: test-upstream-prerequisites
.PHONY: test-upstream-prerequisites
test-upstream-prerequisites:
	@if [ -d "$(PORT4ME_UPSTREAM_SRC)/r" ]; then $(MAKE) --no-print-directory upstream-r; \
	else echo "no upstream sources at $(PORT4ME_UPSTREAM_SRC): the upstream R and Bash tests will be skipped"; fi

## bench-harness: kit runs through a harness against one process per call (JS, upstream R where its sources are)
bench-harness: install node test-upstream-prerequisites
	$(BIN)/python bench/harness.py --node="$$(command -v $(NODE))" \
		$$([ -f $(UPSTREAM_R_LIB)/port4me/DESCRIPTION ] && echo --r-library=$(abspath $(UPSTREAM_R_LIB))) \
		--json=reports/bench-harness.json

bench: bench-harness
