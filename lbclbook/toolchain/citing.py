"""Sphinx extension: every chapter and case can be cited from the site.

From the same data as the how-to-cite text (``lbclbook.citation``: the
``CITATION.cff`` and the page's title and references), for each citable page
(the chapters and cases of ``_toc.yml``):

1. citation files in the site, ``cite/<page>.bib``, ``.ris`` and ``.json``
   (BibTeX, RIS, CSL-JSON), written when the HTML build finishes;
2. the ``{citation-tools}`` directive, which the how-to-cite cell puts on the
   page (web only): links to those files, and buttons that copy the citation
   or its BibTeX. The text to copy is in the page, so the buttons work from
   a copy of the site opened from disk (no server, no fetch); they are
   ordinary buttons, so they work with the keyboard, and they stay hidden
   until the script that runs them has loaded;
3. Highwire Press ``citation_*`` meta tags in the page's head, which Google
   Scholar and Zotero read: ``citation_book_title`` makes Zotero save a book
   section (``citation_inbook_title`` is the same title, the name Google
   Scholar's guidelines use for a chapter's book).

On every page, the footer says which version of the book it is and links
the "What changed" page; ``version.json`` at the site's root says the same
for the publishing step (``lbclbook.toolchain.versions``), which banners
older versions.
"""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from .. import citation
from ..paths import book_root

ASSETS = Path(__file__).parent / "cite-assets"
SCRIPT = "lbcl-cite.js"
STYLE = "lbcl-cite.css"
VERSION_FILE = "version.json"
CHANGES_PAGE = "appendix/what-changed"


def _root(app: Sphinx) -> Path:
    return book_root(app.srcdir)


def _is_citable(docname: str) -> bool:
    return docname.split("/")[0] in citation.CITABLE_FOLDERS


# --------------------------------------------------------------------------
# The citation tools on the page


class CitationTools(SphinxDirective):
    """``{citation-tools} chapters/<slug>``: citation files and copy buttons."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        page = self.arguments[0].strip()
        if not _is_citable(page) or not (_root(self.env.app) / f"{page}.md").is_file():
            raise self.error(f"citation-tools: {page!r} is not a chapter or a case")
        work = citation.work(page, _root(self.env.app))
        here = posixpath.dirname(self.env.docname) or "."
        return [nodes.raw("", tools_html(work, here), format="html")]


def tools_html(work: citation.Work, here: str) -> str:
    """The links to the citation files and the copy buttons, as HTML."""
    links = []
    for suffix, name in citation.FORMATS.items():
        href = posixpath.relpath(citation.citation_file_path(work.page, suffix), here)
        # No download attribute: served with their own media types, RIS and
        # BibTeX go straight into Zotero through its browser connector.
        links.append(f'<a href="{_attr(href)}">{name}</a>')
    bibtex = citation.bibtex(work)
    return "\n".join([
        '<div class="lbcl-cite-tools">',
        "<p>The citation for a reference manager: "
        f"{links[0]}, {links[1]} or {links[2]}.</p>",
        # Hidden until lbcl-cite.js runs: a button without its script does nothing.
        '<p class="lbcl-cite-copy" hidden>',
        _button("Copy the citation", work.text),
        _button("Copy as BibTeX", bibtex),
        '<span class="lbcl-copy-status" role="status" aria-live="polite"></span>',
        "</p>",
        '<details class="lbcl-cite-bibtex"><summary>Show the BibTeX</summary>',
        f"<pre>{html.escape(bibtex)}</pre>",
        "</details>",
        "</div>",
    ])


def _button(label: str, text: str) -> str:
    return (f'<button type="button" class="lbcl-copy" data-copy-text="{_attr(text)}">'
            f"{html.escape(label)}</button>")


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------
# Meta tags, the footer, the page's assets


def highwire_tags(work: citation.Work) -> list[tuple[str, str]]:
    """The page's ``citation_*`` meta tags, as (name, content) pairs."""
    tags = [("citation_title", work.title)]
    tags += [("citation_author", name) for name in _names(work)]
    tags += [("citation_book_title", work.book), ("citation_inbook_title", work.book),
             ("citation_publication_date", f"{work.released:%Y/%m/%d}"),
             ("citation_version", work.version),
             ("citation_public_url", work.url)]
    if work.pdf_url:
        tags.append(("citation_pdf_url", work.pdf_url))
    if work.keywords:
        tags.append(("citation_keywords", "; ".join(work.keywords)))
    return tags


def _names(work: citation.Work) -> list[str]:
    return [a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in work.authors]


def _on_page(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    root = _root(app)
    cff = citation.metadata(root)
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + _edition_html(
        app, cff, context)
    if doctree is None or not _is_citable(pagename):
        return
    work = citation.work(pagename, root)
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta name="{name}" content="{_attr(value)}" />'
        for name, value in highwire_tags(work))
    app.add_css_file(STYLE)
    app.add_js_file(SCRIPT, loading_method="defer")


def _edition_html(app: Sphinx, cff: dict, context: dict) -> str:
    """``Version 0.1.0, data of 23 November 2026. What changed``, for the footer."""
    text = html.escape(citation.edition(cff)) + "."
    if CHANGES_PAGE in app.env.all_docs:
        href = context["pathto"](CHANGES_PAGE)
        text += f' <a href="{_attr(href)}">What changed</a>'
    return f'<p class="lbcl-edition">{text}</p>'


# --------------------------------------------------------------------------
# Files written into the site


def _set_static_path(app: Sphinx, config) -> None:
    config.html_static_path = [*config.html_static_path, str(ASSETS)]


def _write_files(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    root, out = _root(app), Path(app.outdir)
    for page in citation.citable_pages(root):
        if page not in app.env.all_docs:
            continue
        for suffix, text in citation.citation_files(page, root).items():
            path = out / citation.citation_file_path(page, suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8", newline="")
    write_version_file(out, citation.metadata(root))


def write_version_file(site: Path, cff: dict) -> Path:
    """``version.json`` at the site's root: the version it shows and its data date."""
    path = site / VERSION_FILE
    path.write_text(json.dumps({"title": cff["title"], "version": str(cff["version"]),
                                "date-released": cff["date-released"],
                                "edition": citation.edition(cff)}, indent=1) + "\n", "utf-8")
    return path


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _set_static_path)
    app.add_directive("citation-tools", CitationTools)
    app.connect("html-page-context", _on_page)
    app.connect("build-finished", _write_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
