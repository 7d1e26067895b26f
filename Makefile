# The book in two commands: `make book` builds it, `make test` tests it;
# `make check` is the author's first, fast check (no book build).
# All set up everything first (system packages, a virtual environment with
# the locked requirements); the set-up is skipped when nothing changed.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# axe-core for the browser tests, from npm
BROWSER := tests/browser

.PHONY: book check test serve setup lock clean pdf bench

book: setup
	$(PY) -m lbclbook.toolchain.build

# One PDF per chapter into _build/pdf, published in the site as pdf/<slug>.pdf.
pdf: book
	$(PY) -m lbclbook.toolchain.pdf

# Everything that needs no book build: data rules, statistics, markup,
# references, one mutation of each kind, plots (tests marked neither `build`
# nor `slow`, see pyproject.toml). Well under a minute.
check: setup
	$(PY) -m pytest -m "not build and not slow"

# The whole suite (what CI runs).
test: setup
	$(PY) -m pytest

# The site as GitHub Pages serves it (gzip, its cache headers): a plain
# http.server sends everything uncompressed and previews a slower site.
serve: book
	$(PY) -m lbclbook.toolchain.serve --port 8000

setup: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml scripts/install-system-deps.sh \
          $(BROWSER)/package.json $(BROWSER)/package-lock.json
	bash scripts/install-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 > /dev/null
	$(PY) -c "import matplotlib.pyplot"  # build the font cache now, not on a page's stderr
	cd $(BROWSER) && npm ci --no-audit --no-fund --loglevel=error  # axe-core, locked
	touch $@

# Re-resolve the lock file after changing requirements.txt.
lock: setup
	$(PY) -m pip freeze --exclude-editable | sed '1i # Lock file: every package the book installs, at the version tested.\n# Regenerate with: make lock' > constraints.txt

clean:
	rm -rf _build

# Timings of the author's loop and the reader's page -> bench/report.{md,json};
# then the tiers (clean vs no-op build, make check), the screens (phone menus,
# tables wider than the article, smallest figure text) and Lighthouse on every
# chapter page of the built site (served as GitHub Pages serves it) -> sections
# of report.md; and what the teaching kit (slides, handouts) adds to a build.
bench: book
	$(PY) bench/run.py
	$(PY) bench/tiers.py
	$(PY) bench/screens.py
	$(PY) bench/lighthouse.py
	$(PY) bench/kit.py

# A release: VERSION and the data's date into CITATION.cff, .zenodo.json
# regenerated from it, one commit and the tag vVERSION (scripts/release.py);
# then `git push origin HEAD vVERSION` publishes it under /vVERSION/.
.PHONY: release
release: check
	$(PY) scripts/release.py $(VERSION)
