# Tenantry — two commands: `make up` runs the platform locally, `make test` runs everything.
# Both install what is missing first (system packages as root, venv, locked deps).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
# Connection settings of the services (empty unless PostgreSQL had to fall back to the
# embedded server); loaded before every command that talks to them.
WITH_SERVICES := set -a; [ -f .local/services.env ] && . .local/services.env; set +a;
LOCAL_DATABASES := tenantry_platform tenantry_shard_local

.PHONY: help up demo dev-web test deps services lint format typecheck pytest clients config lock messages clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

up: deps services ## Run the portal, the control plane and the tenant app locally (Ctrl-C stops them)
	@$(WITH_SERVICES) $(BIN)/python dev/up.py

demo: deps services ## `make up` plus a platform admin and the store `demo` with a small catalog
	@$(WITH_SERVICES) $(BIN)/python dev/up.py --demo

dev-web: deps ## The portal with hot reload (next dev on port 3000); CONTROL_PLANE_URL= a running control plane
	@$(BIN)/python dev/portal.py

test: deps services lint typecheck pytest ## Lint, type-check and run every test suite

deps: ## Install system packages (as root), the venv and the locked Python deps
	@dev/bootstrap.sh

services: deps ## Start PostgreSQL, Redis, RabbitMQ (+ management) and Mosquitto when down
	@$(BIN)/python dev/services.py --databases $(LOCAL_DATABASES)

lint: deps ## ruff (lint + format check) and the import contracts between components
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: deps ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# One mypy run per component: each has its own `tests` package and Django settings.
typecheck: deps ## mypy (strict, with django-stubs) on every component
	@for component in kernel operator platform tests dev; do \
		echo "mypy $$component"; DJANGO_SETTINGS_MODULE=control_plane.settings.test $(BIN)/mypy $$component; done
	@echo "mypy tenant-app"; DJANGO_SETTINGS_MODULE=tenant_app.settings.test $(BIN)/mypy tenant-app

pytest: deps services ## Every component's pytest suite and web/'s checks (PYTEST_ARGS="-x -k name" to narrow)
	@$(WITH_SERVICES) $(BIN)/python dev/test_all.py $(PYTEST_ARGS)

clients: deps ## Generate web/'s typed API clients from both projects' OpenAPI schemas (npm ci first if needed)
	@$(WITH_SERVICES) $(BIN)/python dev/clients.py

config: deps ## Write docs/configuration.md's tables and .env.example from the variables' catalog
	$(BIN)/python -m tenantry_kernel.config --write

lock: deps ## Re-resolve requirements/*.txt from pyproject.toml
	$(BIN)/pip-compile -q --extra dev --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--no-emit-trusted-host -o requirements/dev.txt pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links \
		--no-emit-trusted-host -c requirements/dev.txt -o requirements/prod.txt pyproject.toml

# The tenant app's translations: its own strings and the kernel's it shows (addresses, problem details), from the
# repository's root (an ignore pattern "NAME/*" skips every folder NAME); the compiled .mo files are committed
# (tests check they match the .po files).
MESSAGE_IGNORES := platform/* operator/* node_modules/* tests/* dev/* bench/* crds/* docs/* testing/*
messages: deps ## Extract the tenant app's translatable strings into tenant_app/locale/*.po and compile the .mo files (needs gettext)
	DJANGO_SETTINGS_MODULE=tenant_app.settings.test $(BIN)/python tenant-app/manage.py makemessages -l de --no-obsolete \
		$(foreach pattern,$(MESSAGE_IGNORES),--ignore '$(pattern)')
	cd tenant-app && DJANGO_SETTINGS_MODULE=tenant_app.settings.test ../$(BIN)/python manage.py compilemessages

clean: ## Remove the venv, web/node_modules, caches and local state (stops nothing)
	rm -rf $(VENV) .local .mypy_cache .ruff_cache .pytest_cache web/node_modules
