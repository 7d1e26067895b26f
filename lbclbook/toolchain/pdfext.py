"""Sphinx extension for a chapter PDF: it reads like the chapter it is.

1. Links to other pages go to the web. A chapter PDF holds one chapter,
   so a ``{doc}`` link to another chapter or a case finds no page (the strict
   build would fail); the reader wants that page's title and where to read
   it. Such a link becomes the page's title, linked to the hosted book. Glossary terms (``{term}``) likewise link to the hosted glossary.
2. The references stay where the chapter has them. Sphinx's LaTeX writer
   gathers every citation into one bibliography at the end of the document;
   here it is put back in the chapter's own "References" section.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform

from .. import citation, toc
from ..paths import book_root


def _link_to_the_web(app: Sphinx, env, node, contnode):
    if node.get("reftype") == "term":
        return _term_on_the_web(app, node, contnode)
    if node.get("reftype") != "doc":
        return None
    page = node["reftarget"].strip("/")
    root = book_root(app.srcdir)
    if page not in toc.pages_in_toc(root):
        return None  # not a page of the book: let the build report it
    url = f"{citation.site_url(citation.metadata(root))}{page}.html"
    title = node.get("refexplicit") and contnode.astext() or citation.page_title(root, page)
    return nodes.reference("", title, refuri=url, internal=False)


def _term_on_the_web(app: Sphinx, node, contnode):
    """The term's text, linked to its entry in the hosted glossary."""
    root = book_root(app.srcdir)
    anchor = "term-" + node["reftarget"].replace(" ", "-")
    url = f"{citation.site_url(citation.metadata(root))}glossary.html#{anchor}"
    reference = nodes.reference("", "", refuri=url, internal=False)
    reference += contnode
    return reference


BIBLIOGRAPHY_PLACE = "lbcl-bibliography-place"


class MarkBibliographyPlace(SphinxPostTransform):
    """Mark where the chapter lists its references (sphinxcontrib-bibtex has
    turned its bibliography into citations by now; Sphinx has not moved them)."""

    default_priority = 600
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for citation in self.document.findall(nodes.citation):
            citation.parent["classes"].append(BIBLIOGRAPHY_PLACE)


class PutBibliographyBack(SphinxPostTransform):
    """Move the bibliography Sphinx gathered at the end back to its place."""

    default_priority = 800  # after Sphinx's BibliographyTransform (750)
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        places = [node for node in self.document.findall(nodes.Element)
                  if BIBLIOGRAPHY_PLACE in node.get("classes", [])]
        for bibliography in list(self.document.findall(thebibliography)):
            if places:
                bibliography.parent.remove(bibliography)
                places[0] += bibliography


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("missing-reference", _link_to_the_web)
    app.add_post_transform(MarkBibliographyPlace)
    app.add_post_transform(PutBibliographyBack)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
