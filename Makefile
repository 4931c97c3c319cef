# Assay: `make run` serves the site with sample content; `make test` runs the suite.
# Both create .venv and install the pinned requirements on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# axe-core and the Nu HTML checker for the browser tests (tests/browser/package.json, pinned).
BROWSER_DEPS := tests/browser/node_modules/.installed

.PHONY: run test setup lint format check-deploy clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Without npm (or the registry) the browser tests skip, saying why; with ASSAY_BROWSER_TESTS=required
# (CI) a failed install fails here.
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1 && npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; then \
		touch $@; \
	elif [ "$$ASSAY_BROWSER_TESTS" = required ]; then \
		echo "could not install tests/browser's node packages (npm ci)" >&2; exit 1; \
	else \
		echo "note: npm ci in tests/browser failed or npm is missing; the browser tests will be skipped"; \
	fi

setup: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_sample --host $(HOST) --port $(PORT)

run: setup
	@echo "Serving Assay on http://$(HOST):$(PORT)/ (admin: /admin/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: setup $(BROWSER_DEPS)
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-value-xxxxxxxxxxxx ALLOWED_HOSTS=assay.example \
		$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles tests/browser/node_modules
