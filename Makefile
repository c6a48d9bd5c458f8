# The two commands a new user needs: `make demo` and `make test`. Each installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The web tests run twice: on SQLite (the default case store) and on the machine's PostgreSQL.
TEST_PG ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: demo test lint bench clean chromium libreoffice axe

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

demo: $(STAMP) libreoffice
	$(BIN)/attendwise demo

test: $(STAMP) chromium axe libreoffice lint
	$(BIN)/python -m pytest
	DJANGO_SETTINGS_MODULE=attendwise.web.settings.test $(BIN)/python -m pytest --doctest-modules src/attendwise \
		--ignore=src/attendwise/web/settings --ignore=src/attendwise/web/migrations -p no:cacheprovider -q
	@pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432 (.ci/run starts it)"; exit 1; }
	ATTENDWISE_TEST_DATABASE_URL=$(TEST_PG) $(BIN)/python -m pytest tests/web -m "not browser" -p no:cacheprovider -q

# The browser tests drive Debian's chromium (and turn the printed TSM pack's PDF into images with poppler's
# pdftoppm); install them where we may (root, as on CI), never a downloaded browser build.
chromium:
	@{ test -x /usr/bin/chromium && test -x /usr/bin/pdftoppm; } || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; } || \
		echo "chromium or poppler-utils is missing: the browser tests will fail (sudo apt-get install chromium poppler-utils)"

# The browser tests inject axe-core (the accessibility engine, from the npm registry, pinned) into every page;
# tests/web/axe.py fetches the same package itself when it is missing.
AXE_VERSION ?= 4.11.0
axe: $(VENV)/axe-core-$(AXE_VERSION)/axe.min.js
$(VENV)/axe-core-$(AXE_VERSION)/axe.min.js:
	@mkdir -p $(@D) && cd $(@D) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && \
		tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js package/LICENSE && \
		rm axe-core-$(AXE_VERSION).tgz || echo "npm could not fetch axe-core: the browser tests will fail"

# Letters are made as PDF on the server by LibreOffice without a desktop (docs/letters.md, docs/design.md);
# install it where we may (root, as on CI), with the fonts metric-compatible with Arial.
libreoffice:
	@command -v soffice >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui \
		fonts-liberation2 >/dev/null; } || \
		echo "LibreOffice is missing: letters cannot be made as PDF (sudo apt-get install libreoffice-writer-nogui)"

# ruff, and the import-linter contracts of pyproject.toml: each layer imports only the layers below it.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf $(VENV) .pytest_cache build dist
