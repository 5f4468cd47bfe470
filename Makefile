# The two set-up commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATE := 2026-11-27
DEMO := demo
LISTS := --watchlist coalition:watchlists/data/coalition.csv \
         --watchlist ofac-xml:watchlists/data/ofac/sdn_advanced.xml.bz2
export GX_ANALYTICS_ENABLED := false

.PHONY: run test lint venv clean

$(BIN)/fiu-screen: setup.py constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
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

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy schemas watchlists

clean:
	rm -rf $(DEMO) build *.egg-info
