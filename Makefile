# The two commands: `make up` runs Samling locally, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.local/bin:$(PATH)

.PHONY: help setup up test fast fast-domain fast-rest lint imports typecheck unit schemas docs bench-registrations bench-fanout bench-scale bench-web

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

setup: ## Install what is missing: Python env, Kafka jars, FerretDB (cached, idempotent)
	@bash deploy/local/install.sh

up: setup ## Start Kafka, FerretDB and the three services with demo data; Ctrl-C stops all
	@uv run --frozen samling dev up

lint: ## ruff (lint and format check)
	uv run --frozen ruff check .
	uv run --frozen ruff format --check .

imports: ## The import rules (.importlinter): pure domains, services apart
	uv run --frozen lint-imports

typecheck: ## mypy --strict over every package
	uv run --frozen mypy contracts/src kernel/src runtime/src devtools/src services/*/src
	uv run --frozen mypy contracts/tests kernel/tests runtime/tests tests devtools/tests services/*/tests benchmarks services/*/benchmarks

schemas: ## Export the event JSON Schemas after changing contracts (refuses breaking changes)
	uv run --frozen python -m samling_contracts.schemas export

docs: ## Regenerate README's event catalogue and configuration reference from the code
	uv run --frozen python -m samling_devtools.docs

# The unit tests of the kernel and the services: the ones that reach the domain packages, run
# under coverage (the rest of the fast tier cannot import a domain, and runs without it).
DOMAIN_TESTS = kernel/tests services/network/tests/unit services/events/tests/unit services/notifications/tests/unit

fast: ## The fast tier: every test not marked integration (no Kafka, no FerretDB), in seconds; fails when it leaves a domain rule uncovered
	@$(MAKE) --no-print-directory -j2 --output-sync=target fast-domain fast-rest

fast-domain: # the fast tier's domain half, under coverage
	uv run --frozen coverage run -m pytest -m "not integration" $(DOMAIN_TESTS)
	uv run --frozen coverage report

fast-rest: # the rest of the fast tier, beside it on the other core
	uv run --frozen pytest -m "not integration" $(addprefix --ignore=,$(DOMAIN_TESTS))

test: setup lint imports typecheck fast ## Lint, type-check, the fast tier, then the tests against their own Kafka + FerretDB
	uv run --frozen pytest -m integration

test-journey: setup ## The happy-path end-to-end journey across the three services
	uv run --frozen pytest -m journey tests/e2e

bench-registrations: setup ## Registration rush on one event against a real service, Kafka and FerretDB
	uv run --frozen python services/events/benchmarks/registration_rush.py $(BENCH_ARGS)

bench-fanout: setup ## Notifications fan-out: 10,000 people, one new event; inbox + SMTP time vs raw Kafka
	uv run --frozen python services/notifications/benchmarks/fanout.py

bench-scale: setup ## A year of a large region in the store: read p50/p95, rush and fan-out vs empty (BENCH_ARGS="--scale 0.1")
	uv run --frozen python benchmarks/scale.py $(BENCH_ARGS)

bench-web: setup ## The web app under 50 concurrent users: p95 per page, registrations/s vs the events API
	uv run --frozen python services/web/benchmarks/web_pages.py $(BENCH_ARGS)