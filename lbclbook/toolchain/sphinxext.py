"""Sphinx extension: a chapter's outputs depend on its data, not only its code.

MyST-NB's execution cache is keyed on a notebook's code cells, so editing a
CSV would leave stale numbers on the page (MyST-NB issue 299). For every
executable page, while Sphinx reads it, this extension

1. registers the files the page depends on (``stamps.dependencies``: its
   tables, the author package, ``_toc.yml``, ``CITATION.cff``...) as Sphinx
   dependencies, so an edit makes Sphinx read the page again;
2. drops the page's cache record if it was executed from other data
   (``stamps.drop_stale``), so the page is executed again instead of being
   served from the cache.

Only the pages that read a changed table are re-executed. The stamps
themselves (what they cover, where they are kept) are ``stamps``'s.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from ..paths import book_root
from . import stamps

LOG = logging.getLogger(__name__)


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if not stamps.is_executable(text):
        return
    root = book_root(app.srcdir)
    for path in stamps.dependencies(root, text):
        app.env.note_dependency(str(path))
    if app.env.mystnb_config.execution_mode == "cache":
        _drop_stale_cache_entry(app, docname, text, stamps.fingerprint(root, text))


def _drop_stale_cache_entry(app: Sphinx, docname: str, text: str, stamp: str) -> None:
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    path = app.env.doc2path(docname)
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
    if not stamps.drop_stale(cache, reader.read(text), stamp):
        LOG.info(f"[lbclbook] {docname} is not cached for its current data: executing it")


def setup(app: Sphinx) -> dict[str, object]:
    # After myst-nb's builder-inited handler has set the cache path.
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
