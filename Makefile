# vaikutus: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= var/demo
PERSONS ?= 100000
SEED ?= 2026
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the tests need: the browser for portal tests, poppler for PDF checks, fonts for PDFs.
APT_PACKAGES := chromium poppler-utils fonts-dejavu-core

.PHONY: run test install install-test system-deps demo clean bench

## run: install, build the demo warehouse from the synthetic register and serve the portal
run: install
	$(BIN)/vaikutus demo --persons $(PERSONS) --seed $(SEED) --dir $(DEMO_DIR) --host $(HOST) --port $(PORT)

## test: install everything the tests need (Debian chromium included) and run the whole suite
test: install-test system-deps
	$(BIN)/python -m pytest -q

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[spark]'
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[spark,test]'
	touch $(VENV)/.installed $@

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## bench: run every benchmark (slow; results appended to benchmarks/results.md)
bench: install
	$(BIN)/python -m pip install --quiet -e '.[spark,test,bench]'
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var build *.egg-info .pytest_cache
