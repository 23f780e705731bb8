# Tutela: two commands do everything on a fresh Debian machine with Python 3 and make.
#   make demo   embedded database, migrations, status (and, later, demo data)
#   make test   setup, lint, supabase build check, every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TUTELA := $(BIN)/tutela
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json

.PHONY: setup sysdeps demo test test-heavy test-legacy lint clean db-stop

setup: sysdeps $(STAMP) $(NODE_STAMP)

sysdeps:
	@$(PYTHON) -m py_admin.sysdeps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "[setup] installing Python packages into $(VENV) (log: $(VENV)/pip.log)"
	@$(BIN)/python -m pip install --upgrade pip > $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@$(BIN)/python -m pip install -e '.[dev]' >> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	@touch $(STAMP)

# the Supabase CLI, pinned by package-lock.json (tests push supabase/ with it)
$(NODE_STAMP): package.json package-lock.json
	@echo "[setup] installing the Supabase CLI into node_modules (log: $(VENV)/npm.log)"
	@npm ci --no-audit --no-fund > $(VENV)/npm.log 2>&1 || (cat $(VENV)/npm.log; exit 1)

demo: setup
	@$(TUTELA) db start
	@$(TUTELA) migrate
	@$(TUTELA) status
	@$(TUTELA) demo
	@$(TUTELA) dashboard parent --as pat.parent@demo.tutela.test

lint: setup
	@$(TUTELA) lint

test: setup
	@$(TUTELA) policies render --check
	@$(TUTELA) lint
	@$(TUTELA) build supabase --check
	@$(BIN)/python -m pytest -q -p no:cacheprovider

# the heavy profiles: nightly fuzz (100,000 calls), 40-60 rounds per race, every pgTAP file on
# an upgraded database
test-heavy: setup
	@TUTELA_HEAVY=1 $(MAKE) --no-print-directory test

# the whole suite on a cluster standing in for an older Supabase project (default privileges
# grant every new object to the API roles); `make test` checks both modes' privileges, matrix,
# supabase/tests and demo (tests/py/test_supabase_modes.py)
test-legacy: setup
	@TUTELA_SUPABASE_MODE=legacy $(BIN)/python -m pytest -q -p no:cacheprovider

db-stop:
	@test -x $(TUTELA) && $(TUTELA) db stop || true

clean: db-stop
	rm -rf .tutela
