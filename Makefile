# The two set-up commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATE := 2026-11-27
DEMO := demo
LISTS := --watchlist coalition:watchlists/data/coalition.csv \
         --watchlist ofac-xml:watchlists/data/ofac/sdn_advanced.xml.bz2
export GX_ANALYTICS_ENABLED := false

.PHONY: run test bench lint venv clean

$(BIN)/fiu-screen: setup.py constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	# the project's bytecode, as a non-editable install writes it: every run (and its worker
	# template) reads it instead of compiling the sources, which nothing writes back where
	# PYTHONDONTWRITEBYTECODE is set; a source edited later is compiled afresh as usual
	$(BIN)/python -m compileall -q pipelines transforms schemas watchlists
	touch $@

venv: $(BIN)/fiu-screen

run: venv
	rm -rf $(DEMO)/input
	$(BIN)/fiu-screen generate --output-root $(DEMO)/input --business-date $(DATE) \
	    --countries BE,DE,FR,IT,ES,NL --transactions 12000 --seed 7 $(LISTS)
	$(BIN)/fiu-screen run --input-root $(DEMO)/input --output-root $(DEMO)/output \
	    --business-date $(DATE) $(LISTS)

test: venv
	$(BIN)/python -m pytest -q tests

# Not part of `make test`: 1M and 2M generated transactions through the full pipeline (minutes).
bench: venv
	$(BIN)/python bench/run_bench.py --transactions 1000000 --results bench/results.json

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy schemas watchlists

clean:
	rm -rf $(DEMO) build *.egg-info

# Matching quality beside nomenklatura's logic-v2 (an optional dev dependency, kept out of
# .venv and `make test`: installed here into its own environment .venv/bench).
BENCH := $(VENV)/bench
$(BENCH)/.installed:
	test -x $(BENCH)/bin/python || $(PY) -m venv $(BENCH)
	$(BENCH)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH)/bin/python -m pip install --quiet nomenklatura "rapidfuzz>=3.9,<4" "anyascii>=0.3.2" numpy
	touch $@

bench-quality: venv $(BENCH)/.installed
	$(BIN)/fiu-screen evaluate $(LISTS) --cases tests/fixtures/devset/cases.csv
	$(BENCH)/bin/python eval/bench_quality.py $(LISTS) --cases tests/fixtures/devset/cases.csv

bench-names: venv
	$(BIN)/python eval/bench_names.py --names 50000 --workers 2
