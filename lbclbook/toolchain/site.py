"""Sphinx extension for the hosted site: one address, and links to chapter PDFs.

1. The site's address is written once, as ``url`` in ``CITATION.cff``. This
   sets from it everything that needs an absolute address: ``html_baseurl``
   (canonical links, the sitemap), ``ogp_site_url`` (Open Graph tags) and the
   404 page's path prefix (that page is served at any depth, so its links
   must start from the site's root).
2. The ``{chapter-pdf}`slug``` role links a page to the chapter's PDF, which
   ``make pdf`` puts at ``pdf/<slug>.pdf`` in the site.
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlparse

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

from .. import citation, toc
from ..paths import book_root


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
    return [link, nodes.Text(f" ({slug}.pdf), to read offline, print or cite.")], []


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _set_addresses)
    app.add_role("chapter-pdf", chapter_pdf_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
