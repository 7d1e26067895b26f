"""Sphinx extension: words the whole book writes once, as MyST substitutions.

The confidence level is a statistical choice made in one place,
``lbclbook.stats.LEVEL``. Prose writes ``{{ ci }}`` ("95% CI") or
``{{ level }}`` ("95%", before a glossary link such as ``{term}`CI```)
instead of typing or gluing the number on every page.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.config import Config

from ..formats import level
from ..stats import LEVEL

SUBSTITUTIONS = {
    "ci": level(),
    "level": f"{100 * LEVEL:.0f}%",
}


def _add_substitutions(app: Sphinx, config: Config) -> None:
    # Before myst-parser reads its settings (builder-inited); a page's own
    # substitutions in its front matter still take precedence.
    config.myst_substitutions = {**SUBSTITUTIONS, **config.myst_substitutions}


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
