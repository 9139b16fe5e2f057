# Two commands do all the set-up on a fresh Debian machine:
#   make run    create .venv, install, open the app on the bundled example hall
#   make test   create .venv, install with [dev], run lint, import contracts and all tests headless
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HALL   ?= layouts/pod-1mw.json

.PHONY: run test demo lint schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	bash installer/system-deps.sh window
	$(BIN)/halltwin gui $(HALL)

demo: $(VENV)/.installed
	$(BIN)/halltwin demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: $(VENV)/.installed-dev
	bash installer/system-deps.sh offscreen
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	# One test process per core (pytest-xdist; idle workers steal queued tests): most of
	# the suite is numba's first compiles and one-thread Python, so two processes on two
	# cores took 441 s against 761 s for one (2-core Emerald Rapids VM, cold numba cache).
	# The processes share the cores, so OpenMP's idle threads sleep (solvers/backend's
	# default; grids below 40,000 cells then run on one thread), and each process's numba
	# kernels still run on both cores, so the parallel kernels are tested in parallel.
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -n auto --dist worksteal --durations=20

schema: $(VENV)/.installed
	$(BIN)/halltwin schema docs/schema

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis

# The desktop app (installer/, docs/installing.md):
#   make dist        the Linux bundle, .deb and tarball in dist/ (prints sizes and build time)
#   make dist-test   unpack the .deb and check it with no Python (installer/smoke_test.sh)
.PHONY: dist dist-test

$(VENV)/.installed-dist: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dist]'
	touch $@

dist: $(VENV)/.installed-dist
	bash installer/system-deps.sh offscreen
	PYTHON=$(BIN)/python bash installer/build_deb.sh

dist-test:
	bash installer/smoke_test.sh
