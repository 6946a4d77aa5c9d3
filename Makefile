# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow eval bench lint reload clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/de06 reload
	$(BIN)/de06 serve

test: $(STAMP)
	$(BIN)/ruff check bot index tests bench
	$(BIN)/pytest -q

test-slow: $(STAMP)
	$(BIN)/pytest -q -m slow || [ $$? -eq 5 ]

eval: $(STAMP)
	$(BIN)/de06 eval ../shared/eval/dev.jsonl

bench: $(STAMP)
	$(BIN)/python -m bench.run --passages 1000,10000,100000

lint: $(STAMP)
	$(BIN)/ruff check bot index tests bench

reload: $(STAMP)
	$(BIN)/de06 reload

clean:
	rm -rf $(VENV) var .pytest_cache
