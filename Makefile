# The two commands of the README: `make run` and `make test`. Nothing here needs apt, an account,
# or any network beyond the Python package index.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install check build lint clean serve bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

check: install
	$(BIN)/python -m audio_build check

lint: install
	$(BIN)/ruff check .

# Two test processes by default (the suite takes about two minutes on two cores);
# `make TEST_WORKERS=0 test` runs them in one, `TEST_WORKERS=4` in four.
TEST_WORKERS ?= 2

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

build: check
	$(BIN)/python -m audio_build build

# English is built first and served at once; Spanish (Kokoro, several times Piper's CPU: tens of
# minutes on a first build) builds in the background meanwhile, and the service takes it up
# when its catalog is written, with no restart. Its log is var/build-es.log.
run: check
	@mkdir -p var
	@$(BIN)/python -m audio_build build --language en; status=$$?; \
	if [ $$status -eq 3 ]; then echo "Serving the practices that built; the ones named above did not (make build tries them again)."; \
	elif [ $$status -ne 0 ]; then exit $$status; fi
	@echo "Building the Spanish library in the background: var/build-es.log"
	@echo "Serving on http://$(HOST):$(PORT)  (development settings; Ctrl-C to stop)"
	@$(BIN)/python -m audio_build build --language es > var/build-es.log 2>&1 & \
	trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	APP_ENV=development ALEXA_VERIFY=0 $(BIN)/flask --app 'voice_app:create_app()' run --host $(HOST) --port $(PORT)

# Production serving: gunicorn with gunicorn.conf.py. Set the production variables first
# (README: Configuration and Deploying); APP_ENV=development is accepted for a local try.
serve: build
	@mkdir -p var
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) 'voice_app:create_app()'

# Build and serving benchmarks: a table on stdout, JSON under bench/results/ (about 7 minutes).
bench: install
	$(BIN)/python -m bench
	LOAD_DURATION_S=60 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_load_mixed.py

clean:
	rm -rf build var .pytest_cache .ruff_cache .hypothesis
