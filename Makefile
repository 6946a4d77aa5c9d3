# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-slow eval bench lint reload clean system-packages

# Scanned PDFs need Tesseract with its Vietnamese model; .doc/.xls need LibreOffice headless.
# Installed with apt-get when missing and running as root; otherwise named, and the assistant
# still runs (such files are then reported with the package that would read them).
SYSTEM_PACKAGES := tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui libreoffice-calc-nogui

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

system-packages:
	@missing=""; \
	{ command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx vie; } \
	  || missing="tesseract-ocr tesseract-ocr-vie"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui libreoffice-calc-nogui"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing system packages:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; } \
	      || echo "Could not install$$missing: scanned PDFs and .doc/.xls will be reported, not read."; \
	  else \
	    echo "Note: scanned PDFs and .doc/.xls files need system packages that are missing."; \
	    echo "      Install them (Debian/Ubuntu): sudo apt-get install$$missing"; \
	    echo "      Without them such files are reported by name and everything else loads."; \
	  fi; \
	fi

run: $(STAMP) system-packages
	$(BIN)/de06 reload
	$(BIN)/de06 serve

test: $(STAMP) system-packages
	$(BIN)/ruff check bot index tests bench
	$(BIN)/pytest -q

test-slow: $(STAMP) system-packages
	$(BIN)/pytest -q -m slow || [ $$? -eq 5 ]

eval: $(STAMP)
	$(BIN)/de06 eval ../shared/eval/dev.jsonl

bench: $(STAMP) system-packages
	$(BIN)/python -m bench.run --passages 1000,10000,100000
	$(BIN)/python -m bench.ocr

lint: $(STAMP)
	$(BIN)/ruff check bot index tests bench

reload: $(STAMP)
	$(BIN)/de06 reload

clean:
	rm -rf $(VENV) var .pytest_cache
