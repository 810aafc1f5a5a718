# Yimen: `make demo` serves the demo on http://127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export YIMEN_DATA_DIR ?= $(CURDIR)/var
INSTALLED := $(VENV)/.installed
ASSETS := $(YIMEN_DATA_DIR)/assets/.installed

.PHONY: demo test setup assets messages system-deps lint lock clean

demo: setup
	YIMEN_DEMO=1 $(BIN)/yimen demo

test: system-deps setup lint
	$(BIN)/pytest $(PYTEST_ARGS)

setup: $(INSTALLED) assets messages

# Compiled translations are built, not kept in git (needs gettext's msgfmt).
messages: $(INSTALLED)
	@if command -v msgfmt >/dev/null; then cd src/yimen && ../../$(BIN)/yimen compilemessages -v 0; \
	else echo "NOTE: gettext (msgfmt) missing: pages are shown in Chinese only."; fi

$(INSTALLED): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Yimen needs Python 3.11 or newer.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	touch $@

assets: $(ASSETS)

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	mkdir -p $(YIMEN_DATA_DIR)/assets/vendor
	cp node_modules/htmx.org/dist/htmx.min.js node_modules/echarts/dist/echarts.min.js \
		$(YIMEN_DATA_DIR)/assets/vendor/
	touch $@

# Chromium (browser tests), poppler and its CJK data (PDF checks) and the TrueType CJK font PDFs embed.
system-deps:
	@scripts/system-deps.sh

lint: $(INSTALLED)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports
	$(BIN)/yimen makemigrations --check --dry-run

lock: $(INSTALLED)
	{ head -n 2 constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

clean:
	rm -rf $(VENV) node_modules $(YIMEN_DATA_DIR)
