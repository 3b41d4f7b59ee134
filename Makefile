# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates the virtual environment in .venv when it is missing or stale.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready

.PHONY: run test lint validate geocode bench clean

run: $(READY)
	$(BIN)/streamlit run dashboard/app.py

test: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

validate: $(READY)
	$(BIN)/python -m dashboard validate

geocode: $(READY)
	$(BIN)/python -m dashboard geocode

# Not part of the tests: about six minutes; writes bench/RESULTS.md (needs Chromium).
bench: $(READY)
	$(BIN)/python bench/run.py

$(READY): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Contact Atlas needs Python 3.11 or newer (python3.11+ on PATH)."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "Could not create a virtual environment: on Debian/Ubuntu, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache tests/artifacts
