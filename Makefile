# Every target creates .venv when it is missing and installs the project into it: make lab,
# lab-zh, lab-instructor, student and student-zh only what a learner needs (the extra lab),
# the other targets everything (the extras dev and book).
#   make test     ruff, the strict site build, the unit and site tests, every lesson by nbval
#   make book     run every lesson (cached) and build the site in jupyter_book/_build/html
#   make student  the student edition of the lessons (solutions removed) in build/student
#   make lab      JupyterLab on your own copy of the student edition, in my-lessons/ (made once,
#                 never overwritten: your answers survive the next `make lab`)
#   make lab-instructor  JupyterLab on lessons/, the instructor's notebooks, solutions included
#   make lab-zh / student-zh / assignments-zh   the same for the Chinese edition (中文版):
#                 my-lessons-zh/, build/zh/student, build/nbgrader-zh
#   make book also builds the Chinese site, in jupyter_book/_build/html/zh
#   make assignments     the lessons as an nbgrader course: releases in build/nbgrader/release
#   make grade SUBMISSIONS=DIR  autograde DIR/<student>/<lesson>/<lesson>.ipynb offline:
#                 build/nbgrader/gradebook.db, grades.csv and feedback/ (JOBS at a time:
#                 two per core by default)
#   make test-lowest  the unit tests with the lowest versions pyproject.toml allows (CI runs it)
#   make bench    the benchmarks (installs the CPU build of PyTorch for the comparison)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB_STAMP := $(VENV)/.installed-lab
CODE   := $(wildcard ganlab tests benchmarks scripts lessons jupyter_book/_ext)
NOTEBOOKS := $(sort $(wildcard lessons/*.ipynb))
SITE   := jupyter_book/_build/html
LAB_DIR ?= my-lessons
# JupyterLab refuses to run as root (a container, a CI machine) unless told: tell it there.
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root)
JOBS   ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 1))))

.PHONY: install lock prereqs-site test test-lowest lint site site-zh book student student-zh lab lab-zh lab-instructor \
	assignments assignments-zh grade bench clean

# Two installs: everything (the tests, lint, grading, the site: extras dev and book), or only
# what a learner needs for the lessons in JupyterLab (extra lab), for the lab and student
# targets. The full install includes the lab's, so it marks both done.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || sh scripts/prereqs.sh python $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,book]" -c constraints.txt
	touch $@ $(LAB_STAMP)

$(LAB_STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || sh scripts/prereqs.sh python $(PYTHON)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab]" -c constraints.txt
	touch $@

# constraints.txt: the versions of everything installed, after `make test` has passed with them.
lock: $(STAMP)
	{ sed -n '1,3p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

# The site as CI checks it: Sphinx warnings are errors (-W), every cross-reference must resolve
# (-n), and --all re-reads every page so that no warning hides in an earlier incremental build.
# Lessons still come from the execution cache when their code has not changed. CI executes them
# here (with GANLAB_FAST=1: 4 to 6 minutes on top of nbval's run) rather than building with
# execution off, so that the site tests check the real figures and animations.
site: prereqs-site $(STAMP)
	GANLAB_KEEP_FIGURES=1 $(BIN)/jupyter-book build jupyter_book --all -W -n --keep-going
	$(MAKE) site-zh ZH_FLAGS="--all -W -n --keep-going"

# The Chinese edition (中文版): the English build's executed lessons with their text translated
# and their figures redrawn in Chinese (scripts/zh_edition.py), built without executing
# anything, into jupyter_book/_build/html/zh beside the English site.
site-zh: $(STAMP)
	$(BIN)/python scripts/zh_edition.py build
	$(BIN)/jupyter-book build build/zh/book $(ZH_FLAGS)
	$(BIN)/python scripts/zh_edition.py font
	rm -rf $(SITE)/zh
	cp -r build/zh/book/_build/html $(SITE)/zh

# What the machine needs, checked before anything is installed or built (scripts/prereqs.sh):
# Python 3.11+ with venv for every target ($(STAMP)), npm for the site once.
prereqs-site:
	@sh scripts/prereqs.sh npm

test: prereqs-site lint site
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval-lax

# The lower bounds in pyproject.toml, tested: uv installs the lowest version each direct
# requirement allows (--resolution lowest-direct; what those need, as resolved) into its own
# venv, and the package's unit tests run there. The site, lesson and grading tests stay with
# `make test`. One filter: old matplotlib (before 3.11) calls pyparsing names that the newest
# pyparsing deprecates, a warning between two other packages that this suite would otherwise
# turn into an error.
LOWEST := build/lowest-venv
UNIT_TESTS := $(filter-out $(addprefix tests/test_,$(addsuffix .py,site book zh_edition grading \
	student_edition prereqs project learner_copy)),$(wildcard tests/test_*.py))

test-lowest: $(STAMP)
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(BIN)/python $(LOWEST)
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct -e ".[dev]"
	$(BIN)/uv pip list --python $(LOWEST)/bin/python --format=freeze | grep -i -E \
	  "^(jax|jaxlib|flax|optax|orbax-checkpoint|numpy|scipy|scikit-learn|matplotlib)==" || true
	$(LOWEST)/bin/python -m pytest $(UNIT_TESTS) -q -p no:cacheprovider \
	  -W "ignore::pyparsing.warnings.PyparsingDeprecationWarning"

book: prereqs-site $(STAMP)
	GANLAB_KEEP_FIGURES=1 $(BIN)/jupyter-book build jupyter_book
	$(MAKE) site-zh
	@echo "Site built: open $(SITE)/index.html in a browser, or serve it with"
	@echo "  $(BIN)/python -m http.server -d $(SITE)   and open http://127.0.0.1:8000"

student: $(LAB_STAMP)
	$(BIN)/python scripts/student_edition.py lessons build/student

# The Chinese lessons (same code, Chinese text) and their student edition.
student-zh: $(LAB_STAMP)
	$(BIN)/python scripts/zh_edition.py notebooks build/zh/lessons
	$(BIN)/python scripts/student_edition.py build/zh/lessons build/zh/student

lab: student
	$(BIN)/python scripts/learner_copy.py build/student $(LAB_DIR)
	$(BIN)/jupyter lab $(LAB_ARGS) $(LAB_DIR)/

lab-zh: student-zh
	$(BIN)/python scripts/learner_copy.py build/zh/student $(LAB_DIR)-zh
	$(BIN)/jupyter lab $(LAB_ARGS) $(LAB_DIR)-zh/

lab-instructor: $(LAB_STAMP)
	$(BIN)/jupyter lab $(LAB_ARGS) lessons/

assignments: $(STAMP)
	$(BIN)/python scripts/nbgrader_course.py assignments

assignments-zh: student-zh
	$(BIN)/python scripts/nbgrader_course.py --course build/nbgrader-zh assignments \
	  --lessons build/zh/lessons

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=DIR" \
	  "(DIR/<student>/<lesson>/<lesson>.ipynb)"; exit 2; }
	test -f build/nbgrader/gradebook.db || $(MAKE) assignments
	$(BIN)/python scripts/nbgrader_course.py grade "$(SUBMISSIONS)" --jobs $(JOBS)

bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0 \
	  || echo "PyTorch not installed: the PyTorch columns will be skipped."
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build jupyter_book/_build .pytest_cache .ruff_cache
