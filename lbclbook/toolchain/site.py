"""Sphinx extension for the hosted site: one address, and links to chapter PDFs.

1. The site's address is written once, as ``url`` in ``CITATION.cff``. This
   sets from it everything that needs an absolute address: ``html_baseurl``
   (canonical links, the sitemap), ``ogp_site_url`` (Open Graph tags) and the
   404 page's path prefix (that page is served at any depth, so its links
   must start from the site's root).
2. The ``{chapter-pdf}`slug``` role links a page to the chapter's PDF, which
   ``make pdf`` puts at ``pdf/<slug>.pdf`` in the site: an ``offers`` link,
   shown only in a site that holds the file.
3. Citing a page and knowing its version (``citing``: citation files, meta
   tags, the version in every footer) and what changed between releases
   (``changes``: the ``{what-changed}`` directive) are set up from here.
4. The figure gallery's zips (``figurezips``: one per chapter, and the
   ``{figures-zip}`` role that links them) are set up from here too.
5. The sitemap lists every page after an incremental build too.
   sphinx-sitemap collects the pages as they are written, so after an edit
   it listed only the pages written again (2 of 16 after a prose edit).
   Just before it writes ``sitemap.xml``, its list is made what a clean
   build gives: every page of the book, in the order Sphinx writes them
   (sorted), then the extra pages it collected (search, index...).
"""

from __future__ import annotations

import fnmatch
import posixpath
import queue
from urllib.parse import urlparse

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .. import citation, toc
from ..paths import book_root
from . import offers


def _set_addresses(app: Sphinx, config: Config) -> None:
    cff = citation.metadata(book_root(app.srcdir))
    url = citation.site_url(cff)
    config.html_baseurl = url
    config.ogp_site_url = url
    config.ogp_site_name = cff["title"]
    config.notfound_urls_prefix = urlparse(url).path


def chapter_pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{chapter-pdf}`slug```: a link from this page to chapter ``slug``'s PDF."""
    slug = text.strip()
    if slug not in toc.chapters_in_toc():
        message = inliner.reporter.error(f"chapter-pdf: {slug!r} is not a chapter in _toc.yml",
                                         line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    here = posixpath.dirname(inliner.document.settings.env.docname)
    href = posixpath.relpath(citation.pdf_path(slug), here or ".")
    link = nodes.reference(rawtext, "Download this chapter as a PDF", refuri=href,
                           classes=["chapter-pdf"])
    # Only ``make pdf`` makes the file: offered, so ``make book`` alone shows no dead link.
    return offers.offer(citation.pdf_path(slug), [
        link, nodes.Text(f" ({slug}.pdf), to read offline, print or cite.")]), []


def _complete_sitemap(app: Sphinx, exception) -> None:
    """Every page into sphinx-sitemap's list, as a clean build puts them there."""
    links = getattr(app.env.app, "sitemap_links", None)
    if exception is not None or links is None or app.builder.format != "html":
        return
    collected = []
    while True:
        try:
            collected.append(links.get_nowait())
        except queue.Empty:
            break
    suffix = app.builder.config.html_file_suffix or ".html"
    pages = [f"{docname}{suffix}" for docname in sorted(app.env.all_docs)]  # as Sphinx writes them
    excludes = app.builder.config.sitemap_excludes
    last_updated = dict(collected)
    for page in pages:
        if not any(fnmatch.fnmatch(page, pattern) for pattern in excludes):
            links.put((page, last_updated.get(page)))
    for link, when in collected:  # search, genindex...: written every time
        if link not in pages:
            links.put((link, when))


def setup(app: Sphinx) -> dict[str, object]:
    # Citing a chapter or a case (files, meta tags, the version in the footer)
    # and the "What changed" page.
    app.setup_extension("lbclbook.toolchain.citing")
    app.setup_extension("lbclbook.toolchain.changes")
    # The gallery's zip of each chapter's figures, and the role that links it.
    app.setup_extension("lbclbook.toolchain.figurezips")
    # Links to each chapter's slides and handout (made after the build: ``teaching``).
    app.setup_extension("lbclbook.toolchain.teaching")
    app.connect("config-inited", _set_addresses)
    app.add_role("chapter-pdf", chapter_pdf_role)
    # Before sphinx-sitemap writes sitemap.xml (its handler has priority 500).
    app.connect("build-finished", _complete_sitemap, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
