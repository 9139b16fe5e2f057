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
	# The tests have the machine to themselves, so OpenMP's threads may spin while they
	# wait: solvers/backend makes them sleep by default (robust when other work shares
	# the cores) and then runs grids below 40,000 cells on one thread; spinning, the
	# tests' grids use both cores (the pod at 0.25 m: 51x real time against 33x).
	QT_QPA_PLATFORM=offscreen OMP_WAIT_POLICY=$${OMP_WAIT_POLICY:-active} $(BIN)/python -m pytest -q --durations=20

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
