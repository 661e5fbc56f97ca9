# Two commands for a fresh machine with Python >= 3.11 and the package registries:
#   make serve   set up (no browser needed), then serve the embedded demo on http://127.0.0.1:8000/graphql
#   make test    set up (with Debian's chromium for the browser tests), then linters, type checks and every test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser serve test screenshot lock clean

setup: $(STAMP) browser

# The browser tests (tests/browser/) drive Debian's Chromium headless, with a Chinese font for the console's
# default language. Installed from Debian's packages when missing (root, or sudo), never downloaded by Playwright.
BROWSER := /usr/bin/chromium
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@if [ ! -x $(BROWSER) ] || [ ! -f $(CJK_FONT) ]; then \
		echo "installing Debian's chromium and fonts-wqy-microhei for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-wqy-microhei >/dev/null; \
	fi

# Exact versions come from constraints.txt (what CI tested); pyproject.toml holds the ranges.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

serve: $(STAMP)
	$(BIN)/partner-gateway serve

test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

# The README's picture of the console (docs/console.png), taken afresh on the embedded demo.
screenshot: setup
	$(BIN)/python -m tests.browser.screenshot

# Re-pin after changing dependency ranges: resolve afresh, then record exact versions.
lock:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > constraints.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
