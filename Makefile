# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates the virtual environment in .venv when it is missing or stale.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run edit test lint validate geocode bench serve clean

# Loopback only: a local run is for this machine (and needs no external address lookup).
# `run` and `serve` read (CONTACT_ATLAS_MODE=read whatever the shell says); `edit` adds the editors'
# Add article page, on loopback and another port; see README "Hosting".
RUN_PORT ?= 8501
run: $(READY)
	CONTACT_ATLAS_MODE=read $(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(RUN_PORT)

EDIT_PORT ?= 8502
edit: $(READY)
	CONTACT_ATLAS_MODE=edit $(BIN)/streamlit run dashboard/app.py --server.address 127.0.0.1 --server.port $(EDIT_PORT)

# Replicas (one a core) behind Debian's nginx; see README "Hosting".
REPLICAS ?= 2
PORT ?= 8080
serve: $(READY)
	CONTACT_ATLAS_MODE=read $(BIN)/python deploy/serve.py --replicas $(REPLICAS) --port $(PORT) $(if $(DATA),--data $(DATA))

# Test files are shared out whole between TEST_WORKERS processes (each its own Spark, browser and servers).
TEST_WORKERS ?= 2
test: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

validate: $(READY)
	$(BIN)/python -m dashboard validate

geocode: $(READY)
	$(BIN)/python -m dashboard geocode

# Not part of the tests: hours (the first run also generates a month of GDELT-shaped files and the
# 1M, 10M and 100M synthetic corpora, kept in bench/out; bench/scale.py skips a size the disk has no
# room for); writes bench/RESULTS.md (needs Chromium and nginx).
bench: $(READY)
	$(BIN)/python bench/run.py --sizes 10000,100000,1000000,10000000 --cold-repeats 1
	$(BIN)/python bench/load.py --scale 1000000 10000000
	$(BIN)/python bench/load.py --matrix
	$(BIN)/python bench/engines.py --sizes seed,1000000  # with the network by its nodes at 1M events
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/drafts.py
	$(BIN)/python bench/scale.py

$(READY): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Contact Atlas needs Python 3.11 or newer (python3.11+ on PATH)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "Could not create a virtual environment: on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .import_linter_cache tests/artifacts
