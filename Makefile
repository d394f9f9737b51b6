# snnlib — every target creates the virtual environment .venv on first use.
# Needs only Python >= 3.10 with venv and pip (and make).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help lab test test-fast test-notebooks test-browser test-wheel editions course student figures demo bench clean

help:
	@echo "make lab            open the course's learner edition in JupyterLab (127.0.0.1, token authentication);"
	@echo "                    LAB_ARGS='--edition instructor' for the solutions, '--edition source' for the .py files"
	@echo "make test           run every test (library, data, notebooks in fast mode)"
	@echo "make test-fast      library tests without the slow end-to-end ones (no notebooks, no kernels)"
	@echo "make test-notebooks build both editions and run them under nbval (fast mode): the instructor"
	@echo "                    edition with every exercise check required to pass, the learner edition to the end"
	@echo "make test-browser   drive the course in headless Chromium (needs Debian's chromium)"
	@echo "make test-wheel     build the wheel, install it into a fresh venv and run the course from it,"
	@echo "                    outside the repository (nbclient, and Notebook 7 in headless Chromium)"
	@echo "make editions       write the learner and instructor editions (.ipynb) into build/course/"
	@echo "                    (make course and make student do the same); a notebook you changed is kept"
	@echo "make figures        regenerate the README's figures into figures/ (FAST=1: small data)"
	@echo "make demo           headless end-to-end demo; saves figures/demo_coincidence.png"
	@echo "make bench          print the engine benchmark"

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip >/dev/null
	$(PY) -m pip install -e '.[notebooks,test,fast,dask]'
	touch $(STAMP)

# The same as `python -m snnlib lab` without make: JupyterLab on 127.0.0.1 with a token, the course's
# settings (.jupyter/), the learner edition built into build/course/ (a notebook you changed there is kept)
# with learner/00_setup_check.ipynb opened. LAB_ARGS passes options, e.g. LAB_ARGS=--no-browser.
lab: $(STAMP)
	$(PY) -m snnlib lab $(LAB_ARGS)

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not notebooks and not browser and not packaging and not slow"

# nbval runs the kernels with this shell's environment: SNNLIB_EXERCISES=strict makes every failed exercise
# check raise in the instructor edition. (The learner edition is executed by `make test`, tests/test_notebooks.py:
# it must run to the end without error and report no exercise correct.)
test-notebooks: $(STAMP)
	rm -rf build/nb
	$(PY) -m snnlib course build --out build/nb --edition instructor
	@# notebook 10 reads the FSDD recordings; without them it is left out, with a message
	@if $(PY) -c "from snnlib import audio; audio.fsdd_source()" 2>/dev/null; then skip=; else \
		echo "FSDD recordings not found: skipping 10_from_sound_to_spikes (set SNNLIB_FSDD)"; \
		skip=--ignore=10_from_sound_to_spikes.ipynb; fi; \
	echo "cd build/nb/instructor && SNNLIB_EXERCISES=strict pytest --nbval-lax $$skip ."; \
	cd build/nb/instructor && SNNLIB_EXERCISES=strict SNNLIB_FAST=1 SNNLIB_STATIC=1 MPLBACKEND=Agg \
		$(abspath $(PY)) -m pytest --nbval-lax $$skip .

test-browser: $(STAMP)
	VENV=$(VENV) bash scripts/install_browser.sh
	SNNLIB_BROWSER=1 $(PY) -m pytest -m browser tests/test_browser.py

# Packaging check: tests/test_wheel.py and tests/test_browser_notebook7.py (5.5 to 7.5 minutes measured on
# a 2-core machine busy with other work, load average 8 to 14; most of it the install and notebook 05).
test-wheel: $(STAMP)
	VENV=$(VENV) bash scripts/install_browser.sh
	SNNLIB_WHEEL=1 SNNLIB_BROWSER=1 $(PY) -m pytest -m packaging tests/test_wheel.py tests/test_browser_notebook7.py

editions course student: $(STAMP)
	$(PY) -m snnlib course build --out build/course

figures: $(STAMP)
	$(PY) scripts/make_figures.py $(if $(FAST),--fast,)

demo: $(STAMP)
	$(PY) -m snnlib demo --out figures

bench: $(STAMP)
	$(PY) benchmarks/bench_engine.py

clean:
	rm -rf build .pytest_cache
