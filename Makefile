# The two commands that matter: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PY := .venv/bin/python
UV := .venv/bin/uv
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test test-fast lint check venv vendor demo-data lock clean

venv: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@test -x $(PY) || python3 -m venv .venv
	@test -x $(UV) || .venv/bin/pip install --quiet --disable-pip-version-check uv==0.13.8
	$(UV) sync --frozen --quiet
	@touch $@

lock:
	$(UV) lock

## Front-end libraries (Tom Select) from npm through package-lock.json, copied into
## static/vendor/ by scripts/vendor-static.sh. Needs Node.js (npm).
vendor: static/vendor/.built

static/vendor/.built: package.json package-lock.json scripts/vendor-static.sh
	@bash scripts/vendor-static.sh

## Development is asked for explicitly (DJANGO_DEBUG=true): the product's default is production.
## Set everything up on this machine and start the product (SQLite, file-based Celery broker,
## local QBO emulator, demo data). Ctrl-C stops it; running it again keeps the data.
run: export DJANGO_DEBUG ?= true
run: venv vendor
	@mkdir -p var/static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) -m qbo_sandbox seed-demo > /dev/null
	@$(PY) manage.py print_welcome
	.venv/bin/honcho -f Procfile.dev start

## Lint, types, layering, migrations and the whole test suite against PostgreSQL and Redis.
test: export DJANGO_DEBUG ?= true
test: venv vendor
	@bash scripts/ensure-chromium.sh
	@bash scripts/ensure-wrk.sh
	@mkdir -p var/static
	@eval "$$(bash scripts/test-services.sh)" && \
	  .venv/bin/ruff check . && \
	  .venv/bin/ruff format --check . && \
	  .venv/bin/mypy . && \
	  .venv/bin/lint-imports && \
	  DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run && \
	  .venv/bin/pytest $(PYTEST_ARGS)

## Every benchmark in bench/ at its smoke size (part of `make test` too): see docs/performance.md.
.PHONY: bench-smoke
bench-smoke: venv
	@eval "$$(bash scripts/test-services.sh)" && .venv/bin/pytest tests/test_bench_smoke.py $(PYTEST_ARGS)

## The inner loop: lint and the tests that need no browser and no QBO emulator process (those
## marked `browser`, `sandbox` or `bench` are left to `make test`, the full gate). PYTEST_ARGS
## narrows it.
test-fast: export DJANGO_DEBUG ?= true
test-fast: venv
	@mkdir -p var/static
	@eval "$$(bash scripts/test-services.sh)" && \
	  .venv/bin/ruff check . && \
	  TEST_NO_EMULATOR=1 .venv/bin/pytest -m "not browser and not sandbox and not bench" $(PYTEST_ARGS)

lint: venv
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

clean:
	rm -rf .venv var/static .pytest_cache .mypy_cache node_modules static/vendor
