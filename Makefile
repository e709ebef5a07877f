# policywatch: `make run` to see it work, `make test` to check it. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck check schemas bench bench-quick soak clean \
	eval eval-baseline calibration

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

# The development corpus (real articles, labelled) lives beside the repo, never inside it.
CORPUS   ?= ../shared/corpus
BASELINE := eval/baseline
# Each set: a name for its baseline file, and what `policywatch eval` scores. real.jsonl is also
# scored by halves (sha256(id) first byte: odd = blind, even = tuning), the blind half apart.
EVAL_SETS := real:real.jsonl real-tuning:real.jsonl:tuning real-blind:real.jsonl:blind \
	ordinary:ordinary.jsonl dev:dev.jsonl
NO_CORPUS = echo "make $@: $(CORPUS) not found; skipped (set CORPUS=DIR to point at the labelled corpus)"

eval: $(STAMP) ## score the packs on ../shared/corpus and compare with the checked-in baseline
	@if [ ! -d "$(CORPUS)" ]; then $(NO_CORPUS); exit 0; fi; \
	for set in $(EVAL_SETS); do \
		name=$${set%%:*}; file=$${set#*:}; \
		echo "=== $$name ($(CORPUS)/$$file)"; \
		$(BIN)/policywatch eval --summary --compare $(BASELINE)/$$name.json "$(CORPUS)/$$file" \
			| sed -n '/^overall:/,/^  actor/p;/^articles with no event/,/^$$/p;/^  expected calibration/p;/^compared with/,$$p'; \
	done

eval-baseline: $(STAMP) ## save today's corpus figures as the baseline (figures and ids, no text)
	@if [ ! -d "$(CORPUS)" ]; then $(NO_CORPUS); exit 0; fi; \
	mkdir -p $(BASELINE); \
	for set in $(EVAL_SETS); do \
		name=$${set%%:*}; file=$${set#*:}; \
		$(BIN)/policywatch eval --summary --save $(BASELINE)/$$name.json "$(CORPUS)/$$file" >/dev/null \
			&& echo "wrote $(BASELINE)/$$name.json"; \
	done

# The held-out fixture halves are the calibration set: never tuned on, so their precision is
# not the optimistic in-sample figure of the articles the rules were written for.
calibration: $(STAMP) ## regenerate the shipped confidence table from the held-out fixtures
	$(BIN)/policywatch eval --summary --calibrate services/policywatch/rules/calibration.yaml \
		tests/fixtures/holdout/*.jsonl >/dev/null && echo "wrote services/policywatch/rules/calibration.yaml"

bench: $(STAMP) ## measure throughput and latency (writes bench/results.json)
	PYTHONPATH=. $(BIN)/python -m tools.bench

bench-quick: $(STAMP) ## a smoke run of the benchmark
	PYTHONPATH=. $(BIN)/python -m tools.bench --quick

soak: $(STAMP) ## 10 min at 300 articles/s through detector and notifier: nothing lost, RSS flat
	PYTHONPATH=. $(BIN)/python -m tools.soak --minutes 10 --rate 300

clean: ## remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info services/*.egg-info
