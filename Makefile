# tlresearch — run `make` or `make help` to see the targets.
# Every target creates or refreshes the local virtual environment (.venv) first, so a
# fresh clone needs only Python 3.11 and the package registries.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= auto

.DEFAULT_GOAL := help

## help: list the targets
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## /  make /'

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name tlresearch --display-name "Python (tlresearch)"
	@touch $(STAMP)

## install: create or refresh .venv with the pinned dependencies
install: $(STAMP)

## reports: build everything on the demo survey: raw exports -> panel -> site/index.html
# Every wave x territory for the quality page and the Panorama (with its PDF); the trends,
# the detailed maps and the certification once, for the latest wave (10-minute budget).
# The demo survey and the panel are rebuilt only when what they are made from changed
# (raw exports, codebooks, overrides, the library and its vocabularies: a hash of their
# paths and contents, kept beside the panel; both are deterministic), so that an
# unchanged rerun costs seconds; the reports then run only where their inputs changed,
# and only new pages are printed.
PANEL_INPUTS := data/processed/.inputs.sha256
INPUTS_HASH := find data/raw data/codebooks data/overrides tlresearch pyproject.toml -type f \
	-not -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum
reports: $(STAMP)
	@if [ -f $(PANEL_INPUTS) ] && [ "$$($(INPUTS_HASH))" = "$$(cat $(PANEL_INPUTS))" ]; then \
		echo "demo survey and panel up to date (same raw exports, codebooks, overrides and code)"; \
	else $(BIN)/tlresearch demo && $(BIN)/tlresearch ingest && $(INPUTS_HASH) > $(PANEL_INPUTS); fi
	$(BIN)/tlresearch report --year all --territory all --no-progress \
		--notebooks notebooks/10-quality.ipynb notebooks/40-panorama.ipynb \
		notebooks/60-trajectoires.ipynb
	$(BIN)/tlresearch report --territory all --no-progress \
		--notebooks notebooks/20-map.ipynb notebooks/30-professionalisation.ipynb \
		notebooks/50-certification.ipynb

## lab: open JupyterLab on notebooks/ (00-explorer.ipynb) with the "tlresearch" kernel, 127.0.0.1 only
lab: $(STAMP)
	$(BIN)/python -m tlresearch.explore.lab $(LAB_ARGS)

## browser: install Debian's headless chromium for the browser tests when missing
browser:
	@scripts/ensure-chromium

## lint: ruff (style, imports, blind excepts) and import-linter (the layers of docs/architecture.md)
lint: $(STAMP)
	$(BIN)/ruff check tlresearch tests benchmarks scripts
	$(BIN)/lint-imports

## test: lint, then the whole test suite (installs .venv and chromium when missing)
test: $(STAMP) browser lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

## bench: run the benchmarks and print their figures (several minutes)
bench: $(STAMP) browser
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_xlsx_reader.py
	$(BIN)/python benchmarks/bench_maps.py
	$(BIN)/python benchmarks/bench_reports.py
	$(BIN)/python benchmarks/bench_explore.py
	$(BIN)/python benchmarks/bench_pages.py

## clean: delete what the library built (never data/raw)
clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.md

.PHONY: help install lab browser lint reports test bench clean
