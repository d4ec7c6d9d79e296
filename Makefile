# The two commands of the README:
#   make demo   install, migrate, create the demo project, start web + Celery worker (embedded default)
#   make test   install what tests need (Python, Chromium, npm packages) and run every test
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
ADDR ?= 127.0.0.1:8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo install install-test test test-python test-frontend frontend lint floors

$(VENV)/.installed: pyproject.toml .ci/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -c .ci/constraints.txt -e .
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo --addr $(ADDR)
	$(PY) manage.py serve --addr $(ADDR)

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -q -c .ci/constraints.txt -e '.[test]'
	touch $@

install-test: $(VENV)/.installed-test
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	cd frontend && npm ci --no-audit --no-fund --loglevel=error

test: install-test test-frontend test-python

test-frontend:
	cd frontend && npm test --silent
	cd frontend && npm run build --silent
	git diff --exit-code --stat -- static/annotator || (echo "static/annotator is stale: run 'cd frontend && npm run build' and commit" && exit 1)

test-python:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

frontend:
	cd frontend && npm ci && npm run build

# The declared dependency floors, installed together in .venv-floors, pass a smoke subset of the
# tests (minutes: not part of `make test`; see .ci/floors).
floors:
	.ci/floors
