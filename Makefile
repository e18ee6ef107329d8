# omniaug — set-up, tests, demo and benchmarks. `make demo` and `make test` do all
# set-up on a fresh machine: create .venv, install core + every plugin (editable)
# with the pinned tested set, then run. A stamp file makes the second run fast.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.omniaug-installed
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
EXAMPLE_PLUGIN := examples/omniaug-example-plugin
PKG_FILES := constraints.txt pyproject.toml core/pyproject.toml $(wildcard plugins/*/pyproject.toml) $(EXAMPLE_PLUGIN)/pyproject.toml
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.omniaug-bench-installed
PYTEST_ARGS ?=

.PHONY: install test demo bench bench-env lint clean toolchains

$(STAMP): $(PKG_FILES)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c constraints.txt torch==2.14.1
	$(PIP) install -q -c constraints.txt -e core $(addprefix -e ,$(PLUGINS)) -e $(EXAMPLE_PLUGIN) -e '.[dev]'
	touch $@

install: $(STAMP)

# Compilers the code plugin's tests build and run augmented programs with (tool:Debian package),
# and what its real-corpus tests build against (file:Debian package): zlib / expat / xz headers,
# googletest (sources, samples and libgtest) and a JDK's own sources (src.zip of the javac on PATH).
# Installed with apt only when missing (quick when all are there); without root or apt the
# tests that need one skip and name it.
TOOLCHAINS := gcc:gcc g++:g++ javac:default-jdk-headless node:nodejs go:golang-go
TOOLFILES := /usr/include/zlib.h:zlib1g-dev /usr/include/expat.h:libexpat1-dev /usr/include/lzma.h:liblzma-dev \
	/usr/include/gtest/gtest.h:libgtest-dev

toolchains:
	@missing=""; for pair in $(TOOLCHAINS); do command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	for pair in $(TOOLFILES); do test -e $${pair%%:*} || missing="$$missing $${pair#*:}"; done; \
	srczip=""; for z in /usr/lib/jvm/*/lib/src.zip; do test -f "$$z" && srczip="$$z"; done; \
	if [ -z "$$srczip" ]; then \
		jdk=$$(javac -version 2>&1 | sed -nE 's/^javac ([0-9]+).*/\1/p'); missing="$$missing openjdk-$${jdk:-17}-source"; fi; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "make: installing$$missing (apt)"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null) \
				|| echo "make: could not install$$missing: the tests that need them will skip"; \
		else echo "make: missing$$missing (needs root and apt): the tests that need them will skip"; fi; \
	fi

# pytest exits 5 when it collects no test: that is a failure here, said plainly.
test: install toolchains lint
	@$(PY) -m pytest -n 2 $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; exit $$rc

demo: install
	$(VENV)/bin/omniaug demo --out demo-output

LINT_PATHS := core plugins tests examples benchmarks

# ruff (rules and format, line length 120) and mypy on the core; `make test` runs it first.
lint: install
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy core/src/omniaug

# Peers (kornia, albumentations, tsaug, torch-audiomentations, audiomentations,
# nlpaug, torchvision) live only in this separate environment.
$(BENCH_STAMP): $(PKG_FILES) benchmarks/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q -c constraints.txt torch==2.14.1
	$(BENCH_VENV)/bin/python -m pip install -q -c constraints.txt -r benchmarks/requirements.txt -e core $(addprefix -e ,$(PLUGINS))
	touch $@

bench-env: $(BENCH_STAMP)

# Every benchmark twice where it takes --threads: 2 torch threads (the whole machine) and
# 1 (the DataLoader-worker case: one core per process, the peers too).
bench: bench-env
	@for b in benchmarks/bench_*.py; do \
		if grep -q '"--threads"' $$b; then \
			for t in 2 1; do echo "== $$b --threads $$t"; $(BENCH_VENV)/bin/python $$b --threads $$t || exit 1; done; \
		else echo "== $$b"; $(BENCH_VENV)/bin/python $$b || exit 1; fi; \
	done

clean:
	rm -rf demo-output build .pytest_cache
