# policywatch: `make run` to see it work, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck check schemas bench bench-quick soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install policywatch with its dev tools (.venv/bin/policywatch)

run: $(STAMP) ## start the embedded broker and every service, ingest the demo feeds, show alerts
	$(BIN)/policywatch run

test: $(STAMP) ## lint, type-check and run the whole suite (real broker included)
	$(BIN)/ruff check services tests tools
	$(BIN)/ruff format --check services tests tools
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check services tests tools
	$(BIN)/ruff format --check services tests tools

typecheck: $(STAMP) ## mypy --strict on the package and tools/
	$(BIN)/mypy

check: test ## lint, types and tests

schemas: $(STAMP) ## regenerate the JSON Schemas in schemas/
	$(BIN)/policywatch schemas --write schemas

bench: $(STAMP) ## measure throughput and latency (writes bench/results.json)
	PYTHONPATH=. $(BIN)/python -m tools.bench

bench-quick: $(STAMP) ## a smoke run of the benchmark
	PYTHONPATH=. $(BIN)/python -m tools.bench --quick

soak: $(STAMP) ## 10 min at 300 articles/s through detector and notifier: nothing lost, RSS flat
	PYTHONPATH=. $(BIN)/python -m tools.soak --minutes 10 --rate 300

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info services/*.egg-info
