# Two commands: `make run` sets everything up and serves the app; `make test` runs the suite.
# Both are idempotent: a second run only redoes what changed (requirements, migrations).
# `make run` loads the seed only into a database that does not hold its conference yet, so that edits made
# through the API survive a restart; `make seed` applies the file again on purpose; `SEED=` skips seeding.

PYTHON ?= python3
NPM ?= npm
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
SEED ?= seed/dia-japan-2025.yaml
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint install install-dev test-system-packages translations db seed seed-if-absent clean

# The web server and the notification worker together (Procfile); Ctrl-C stops both.
run: install db seed-if-absent
	BIN=$(BIN) HOST=$(HOST) WORKERS=$(WORKERS) $(BIN)/honcho start --procfile Procfile --port $(PORT)

test: install-dev test-system-packages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The project's ruff settings (pyproject.toml); CI fails on any finding or unformatted file.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed-runtime
install-dev: $(VENV)/.installed-dev node_modules/.installed

db: install
	$(FLASK) db upgrade

seed: install db
	$(if $(SEED),$(FLASK) seed load $(SEED),@echo "SEED is empty: no seed file loaded")

seed-if-absent: install db
	$(if $(SEED),$(FLASK) seed load --if-absent $(SEED),@echo "SEED is empty: no seed file loaded")

# Debian and Ubuntu ship the venv module separately (python3-venv); as root we install it, otherwise we say how.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "eventapp needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		rm -rf $(VENV); \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
		else \
			echo "$(PYTHON) -m venv failed: install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)"; \
			exit 1; \
		fi; }

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-runtime

# The OpenAPI linter the tests run (Redocly CLI), exactly as package-lock.json pins it.
node_modules/.installed: package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "the tests need Node.js 20 or newer and npm (Debian/Ubuntu: apt-get install nodejs npm)"; exit 1; }
	$(NPM) ci --loglevel=error
	@touch $@
# The feeds are checked with libical, which the tests reach through the system's Python (GObject
# introspection): as root on Debian or Ubuntu we install it, otherwise we say how (those tests skip, or fail
# under CI=true).
CHROMIUM ?= /usr/bin/chromium
LIBICAL_PROBE := /usr/bin/python3 -c 'import gi; gi.require_version("ICalGLib", "3.0")' 2>/dev/null
test-system-packages:
	@$(LIBICAL_PROBE) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq python3-gi gir1.2-ical-3.0; \
		else \
			echo "libical for the feed tests is missing (Debian/Ubuntu: sudo apt-get install python3-gi gir1.2-ical-3.0)"; \
		fi; }
	@# The pages' browser tests drive Debian's Chromium through Playwright (never a browser Playwright downloads).
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq chromium; \
		else \
			echo "Chromium for the browser tests is missing (Debian/Ubuntu: sudo apt-get install chromium)"; \
		fi; }

# The pages' catalogues: extract the messages, merge them into each language's .po, compile the .mo files
# (committed, so that a fresh clone runs without this step). Run after changing a page's text.
translations: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext --no-location --omit-header -o eventapp/pages/translations/messages.pot .
	$(BIN)/pybabel update -i eventapp/pages/translations/messages.pot -d eventapp/pages/translations --width 110
	$(BIN)/pybabel compile -d eventapp/pages/translations --statistics

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
