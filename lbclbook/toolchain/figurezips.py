"""Sphinx extension: one zip of figures per chapter, and the role that links it.

The figure gallery offers each chapter's figures in one file,
``figures/<slug>-figures.zip`` in the site (:func:`lbclbook.gallery.zip_name`):
SVG and PNG, with a README of captions, alt texts and citations. The build
writes them (they are made from ``figures/``, never committed), the same bytes
on every build.

``{figures-zip}`slug``` links a page to chapter ``slug``'s zip. It refuses a
chapter without figures, and after a successful build this module writes a
zip for every chapter that has figures: a page never links a zip that the
build did not write.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

from .. import gallery
from ..paths import book_root


def figures_zip_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{figures-zip}`slug```: a link from this page to the zip of chapter ``slug``'s figures."""
    slug = text.strip()
    env = inliner.document.settings.env
    chapters = gallery.by_chapter(book_root(env.srcdir))
    if slug not in chapters:
        message = inliner.reporter.error(
            f"figures-zip: {slug!r} is not a chapter in _toc.yml with figures in figures/",
            line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    href = posixpath.relpath(gallery.zip_name(slug), posixpath.dirname(env.docname) or ".")
    label = f"{slug}-figures.zip"
    return [nodes.reference(rawtext, label, refuri=href, classes=["figures-zip"])], []


def write_zips(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root = book_root(app.srcdir)
    for slug in gallery.by_chapter(root):
        path = Path(app.outdir) / gallery.zip_name(slug)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gallery.chapter_zip(slug, root))


def setup(app: Sphinx) -> dict[str, object]:
    app.add_role("figures-zip", figures_zip_role)
    app.connect("build-finished", write_zips)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
