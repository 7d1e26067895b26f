"""Sphinx extension: a light page, without the 1.5 MB Font Awesome script.

pydata-sphinx-theme (under sphinx-book-theme) puts ``fontawesome.js`` on
every page, so that authors can add icons of their own. It weighs more than
the rest of a chapter page with all its figures. The theme's CSS already
carries Font Awesome's web font and a rule for every icon, which is all the
book's icons need. So this extension puts a copy of the theme's
``static/webpack-macros.html`` without that script first on the template
path. The copy is of the pinned theme; ``tests/test_lightpage.py`` checks it
still matches the theme's file but for that one line.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _add_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
