# Every target creates .venv when it is missing and installs the project into it.
#   make test   ruff, the unit tests and every lesson executed by nbval
#   make book   run every lesson and render it to HTML
#   make lab    JupyterLab on the lessons
#   make bench  the benchmarks (installs the CPU build of PyTorch for the comparison)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
CODE   := $(wildcard ganlab tests benchmarks scripts lessons)
NOTEBOOKS := $(sort $(wildcard lessons/*.ipynb))

.PHONY: install test lint book lab bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)

test: lint
	$(BIN)/python -m pytest tests $(NOTEBOOKS) --nbval-lax

book: $(STAMP)
	mkdir -p build/html
	for nb in $(NOTEBOOKS); do \
	  $(BIN)/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=600 \
	    --output-dir build/html "$$nb" || exit 1; \
	done
	@echo "Lessons rendered to build/html/ (open build/html/<lesson>.html in a browser)."

lab: $(STAMP)
	$(BIN)/jupyter lab lessons/

bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0 \
	  || echo "PyTorch not installed: the PyTorch columns will be skipped."
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build .pytest_cache .ruff_cache
