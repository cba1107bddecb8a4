# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address printed in QR codes; set PUBLIC_BASE_URL yourself when residents reach the server by another name.
export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test install translations migrate demo forms-check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d survey_api/translations

migrate: install
	$(BIN)/survey-api db upgrade

demo: migrate
	$(BIN)/survey-api demo load

forms-check: install
	$(BIN)/survey-api forms check

run: demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) survey_api.wsgi:app

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python tests/bench/run_submission_bench.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
