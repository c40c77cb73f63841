# port4me-kit: the reference implementation and conformance kit for port4me spec v1.
PYTHON ?= python3
VENV := .venv
UPSTREAM := .venv-upstream
BIN := $(VENV)/bin

.PHONY: demo install browser upstream test compat lint format bench vectors mutation mutation-sample clean node test-js bench-js

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

## mutation: every single-point mutant of the modules that decide v1 output, run against the vectors
## (3 to 5 minutes on 2 cores; fails while a survivor is neither killed nor listed in tools/mutation/equivalent.yaml)
mutation: install
	$(BIN)/python -m tools.mutation --json=reports/mutation.json $(MUTATION_ARGS)

## mutation-sample: the fixed CI sample, one mutant in 8 by a hash of its ID (under a minute)
mutation-sample: install
	$(BIN)/python -m tools.mutation --sample --json=reports/mutation-sample.json $(MUTATION_ARGS)

# make test runs the sample: a survivor that is not listed, or a listed mutant now killed, fails CI.
test: mutation-sample

## vectors: regenerate vectors/ (YAML and JSON) and spec/index.md with tools/vectorgen
vectors: install
	$(BIN)/python tools/make_vectors.py

clean:
	rm -rf $(VENV) $(UPSTREAM) .venv-oldest reports build *.egg-info conformance/*.egg-info conformance/build .pytest_cache .ruff_cache .hypothesis

## node: Node.js 18 or newer for js/; where it is missing (or older), apt-get installs it (as root, or with sudo -n)
NODE ?= node
NODE_OK = $(NODE) -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' >/dev/null 2>&1
node:
	@if ! $(NODE_OK) && command -v apt-get >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ]; then sudo=; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi; \
	    if [ "$$sudo" != none ]; then \
	        echo "Node.js 18 or newer is missing: installing the distribution's nodejs with apt-get"; \
	        $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null; \
	    fi; \
	fi; \
	if ! $(NODE_OK); then \
	    echo "make: js/ needs Node.js 18 or newer as '$(NODE)' (https://nodejs.org/); install it, or give NODE=/path/to/node" >&2; \
	    exit 1; \
	fi; \
	echo "node $$($(NODE) --version) ($$(command -v $(NODE)))"

## test-js: the JavaScript port (js/): its node tests, then the conformance kit against its command, every case
test-js: install node
	cd js && $(NODE) --test test/*.test.js
	$(BIN)/port4me-conformance --impl=js="'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me.cjs'" --require-conformant --json=reports/js-conformance.json
	$(BIN)/port4me-conformance --impl=js-harness=harness-cli:"'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me-harness.js'" \
		--impl=js-library=harness-library:"'$$(command -v $(NODE))' '$(CURDIR)/js/bin/port4me-harness.js'" \
		--require-conformant --quiet --json=reports/js-harness-conformance.json

test: test-js

## bench-js: the JavaScript command's start-up and speed as ratios to the reference's, measured in the same run
bench-js: install node
	$(BIN)/python bench/js_port.py --node="$$(command -v $(NODE))" --reference=$(BIN)/port4me --json=reports/bench-js.json

bench: bench-js

# ---- Upstream Bash 0.7.1 and R 0.7.1, from their sources (../shared/upstream/src, or PORT4ME_UPSTREAM_SRC)
PORT4ME_UPSTREAM_SRC ?= $(abspath $(CURDIR)/../shared/upstream/src)
UPSTREAM_R_LIB := .upstream-r
# Another user (the unprivileged and nobody cases) may not enter /root or a mode-700 home: the
# sources are copied where every user can read them.
UPSTREAM_COPY := $(abspath .upstream-src)
R_HARNESS = $(CURDIR)/conformance/port4me_conformance/harnesses/upstream_r.R
UPSTREAM_R_IMPL = --impl=upstream-r=harness-library:"env R_LIBS=$(abspath $(UPSTREAM_R_LIB)) Rscript $(R_HARNESS)"
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

## upstream-r-full: upstream R 0.7.1's library through every case, with its known differences and a long time limit
upstream-r-full: install upstream-r
	$(BIN)/port4me-conformance $(UPSTREAM_R_IMPL) --known-differences=upstream-r-0.7.1 --timeout=600 \
		--allow-timeouts --json=reports/upstream-r.json

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
