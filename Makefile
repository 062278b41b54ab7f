# PressGate: `make run` and `make test` are the whole Quick start.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

MO := statements/translations/vi/LC_MESSAGES/messages.mo

CHROMIUM := /usr/bin/chromium
# PDF copies of statements are set in DejaVu Sans (it has every Vietnamese letter).
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# Official letters' PDF: Times New Roman's metric twin, in its version with Vietnamese (Liberation 2).
LETTER_FONT := /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf
# The load generator of the benchmarks (Debian's wrk).
WRK := /usr/bin/wrk

# The readers a copy's invisible marks must survive (tests/test_copy_readers.py): poppler's pdftotext and
# LibreOffice's text export (pdfminer and pdfium come from PyPI).
PDFTOTEXT := /usr/bin/pdftotext
SOFFICE := /usr/bin/soffice

# axe-core, which the browser tests inject into pages to check accessibility (from the npm registry).
AXE := node_modules/axe-core/axe.min.js

# Test processes (pytest-xdist): one per CPU, at most 4; each has databases and servers of its own.
TEST_WORKERS ?= auto

.PHONY: run test lint format install clean translations screenshots bench

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The Vietnamese catalog is compiled by the build, never committed (the package build compiles it too:
# hatch_build.py, for installs without make); this rule recompiles it after the .po changes.
$(MO): statements/translations/vi/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d statements/translations

translations: $(MO)

install: $(STAMP) $(MO)

run: $(STAMP) $(MO) $(FONT) $(LETTER_FONT)
	$(BIN)/pressgate init-db
	$(BIN)/pressgate demo --if-empty
	@# The worker (the email of notifications) beside the development server, stopped with it.
	$(BIN)/pressgate worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/pressgate run --host 127.0.0.1 --port 5000

# Browser tests drive Debian's Chromium; Playwright never downloads a browser of its own.
$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

$(FONT):
	apt-get update -qq && apt-get install -y -qq fonts-dejavu-core

$(LETTER_FONT):
	apt-get update -qq && apt-get install -y -qq fonts-liberation2

$(PDFTOTEXT):
	apt-get update -qq && apt-get install -y -qq poppler-utils

$(SOFFICE):
	apt-get update -qq && apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui

$(AXE): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq npm; }
	npm ci --no-audit --no-fund --ignore-scripts --silent
	@touch $(AXE)

test: $(STAMP) $(MO) $(CHROMIUM) $(FONT) $(LETTER_FONT) $(WRK) $(AXE) $(PDFTOTEXT) $(SOFFICE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The import contracts of pyproject.toml: layers, no web framework in the domain, no cycles.
	$(BIN)/lint-imports
	@# Types: strict on the domain and identity ([tool.mypy] in pyproject.toml).
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)
	@# The quick benchmark runs with the tests so that it never rots; its figures are reported, not judged.
	QUICK=1 $(BIN)/python -m bench.run

screenshots: $(STAMP) $(MO) $(CHROMIUM)
	PRESSGATE_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -m browser -k "sqlite and (screenshots or leaks)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis node_modules

# Benchmarks: PressGate beside its stack and database ceilings (bench/README.md). QUICK=1: under two minutes.
$(WRK):
	apt-get update -qq && apt-get install -y -qq wrk

bench: $(STAMP) $(MO) $(WRK)
	QUICK=$(QUICK) SYNC_DELAY_US=$(SYNC_DELAY_US) BASELINE=$(BASELINE) $(BIN)/python -m bench.run
	@# Mail under load: decision to SMTP, and the worker killed five times (bench/mail.py).
	mkdir -p bench/results && $(BIN)/python -m bench.mail > bench/results/mail.json && cat bench/results/mail.json
	@# The long crash harness (200 kills) belongs to the full run.
	test -n "$(QUICK)" || $(BIN)/pytest -q -m slow tests/test_crash.py
