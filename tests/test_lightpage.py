"""Chapter pages stay light: no 1.5 MB Font Awesome script, icons still drawn."""

from __future__ import annotations

from pathlib import Path

import pydata_sphinx_theme

from lbclbook.toolchain.build import SITE
from lbclbook.toolchain.lightpage import TEMPLATES

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"


def test_the_template_is_the_themes_but_for_the_font_awesome_script():
    ours = (TEMPLATES / "static" / "webpack-macros.html").read_text().split("-#}\n", 1)[1]
    theirs = (THEME / "static" / "webpack-macros.html").read_text()
    dropped = [line for line in theirs.splitlines() if line not in ours.splitlines()]
    assert len(dropped) == 2 and "fontawesome.js" in dropped[1], dropped


def test_pages_load_no_font_awesome_script_but_the_css_draws_their_icons(clean_build):
    site = clean_build / SITE
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert "fa-solid-900.woff2" in css
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.relative_to(site).parts:
            continue  # the theme's own templates, copied as they are
        html = page.read_text("utf-8")
        assert "fontawesome.js" not in html, page.name
    chapter = (site / "chapters" / "radiotherapy.html").read_text("utf-8")
    for icon in ("fa-file-pdf", "fa-magnifying-glass", "fa-download"):
        assert icon in chapter and f".{icon}:before" in css, icon
