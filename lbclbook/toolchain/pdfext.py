"""Sphinx extension for a chapter PDF: it reads like the chapter it is.

1. Links to other pages go to the web. A chapter PDF holds one chapter,
   so a ``{doc}`` link to another chapter or a case finds no page (the strict
   build would fail); the reader wants that page's title and where to read
   it. Such a link becomes the page's title, linked to the hosted book. Glossary terms (``{term}``) likewise link to the hosted glossary.
2. The references stay where the chapter has them. Sphinx's LaTeX writer
   gathers every citation into one bibliography at the end of the document;
   here it is put back in the chapter's own "References" section.
3. Every table fits the text block. Its columns get widths worked out from
   its cells (:mod:`lbclbook.toolchain.tablelayout`), it is set in small
   type (smaller if it is wide), and a table taller than a third of a page is
   a ``longtable``: it breaks across pages and repeats its header on each. A
   table the author gave a ``{tabularcolumns}`` of their own is left as it is.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform

from .. import citation, toc
from ..paths import book_root
from . import tablelayout


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


# A table may break across pages once it is taller than this share of the
# text block; a shorter one is kept on one page, as a journal sets it.
LONG_TABLE = 1 / 3


class LayOutTables(SphinxPostTransform):
    """Give each table column widths, a type size and, if it is tall, page breaks."""

    default_priority = 700
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        width, height = self.config.lbcl_pdf_text_area
        authors_own = False
        for node in list(self.document.findall(_table_or_spec)):
            if isinstance(node, addnodes.tabular_col_spec):
                authors_own = True  # it applies to the next table
            elif authors_own:
                authors_own = False
            elif not _nested(node) and (columns := _columns(node)):
                _lay_out(node, columns, width, height)


def _table_or_spec(node) -> bool:
    return isinstance(node, (nodes.table, addnodes.tabular_col_spec))


def _nested(table: nodes.table) -> bool:
    return any(isinstance(parent, nodes.table) for parent in _ancestors(table))


def _ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


def _columns(table: nodes.table) -> list[tablelayout.Column] | None:
    """The table's columns as text, or None for a table with merged cells."""
    rows = list(table.findall(nodes.row))
    cells = [[child for child in row.children if isinstance(child, nodes.entry)] for row in rows]
    count = len(list(table.findall(nodes.colspec)))
    if not rows or any(len(row) != count or any(entry.get("morecols") or entry.get("morerows")
                                                for entry in row) for row in cells):
        return None
    heads = sum(isinstance(row.parent, nodes.thead) for row in rows)  # they come first
    header_rows, body_rows = cells[:heads], cells[heads:]
    return [tablelayout.Column(
        header=" ".join(row[j].astext() for row in header_rows),
        cells=tuple(row[j].astext() for row in body_rows),
        right=bool(body_rows) and all("text-right" in row[j]["classes"] for row in body_rows),
    ) for j in range(count)]


def _lay_out(table: nodes.table, columns: list[tablelayout.Column],
             width: float, height: float) -> None:
    """Put the table's column widths before it (a ``tabularcolumns`` node) and
    its type size around it; make it a longtable if it is tall."""
    chosen = tablelayout.layout(columns, width)
    spec = addnodes.tabular_col_spec()
    spec["spec"] = tablelayout.colspec(columns, chosen)
    long = chosen.height > LONG_TABLE * height
    if long:
        table["classes"].append("longtable")
    for entry in table.findall(nodes.entry):
        if not entry.astext().strip():
            entry.clear()  # Sphinx sets an empty paragraph as a blank line: a row twice as tall
    parent, index = table.parent, table.parent.index(table)
    parent.insert(index + 1, nodes.raw("", _table_end(long), format="latex"))
    parent.insert(index, spec)
    parent.insert(index, nodes.raw("", _table_start(chosen.size, long), format="latex"))


def _table_start(size: str, long: bool) -> str:
    r"""The table's type size and cell padding; a little air between rows
    (``\arraystretch`` adds it to a cell's first and last line only). A short
    table is one box with its caption: it never breaks, nor leaves its caption behind."""
    start = (rf"\begingroup\{size}\setlength{{\tabcolsep}}{{{tablelayout.TABCOLSEP}pt}}"
             r"\renewcommand{\arraystretch}{1.25}")
    return start if long else start + r"\par\noindent\begin{minipage}{\linewidth}"


def _table_end(long: bool) -> str:
    return r"\endgroup" if long else r"\end{minipage}\par\endgroup"


def setup(app: Sphinx) -> dict[str, object]:
    # The text block's width and height in TeX points: lbclbook/toolchain/pdf.py
    # sets them from its page; the default is the same page (A4, 25 mm margins).
    app.add_config_value("lbcl_pdf_text_area", (455.2, 702.7), "env", types=[tuple, list])
    app.connect("missing-reference", _link_to_the_web)
    app.add_post_transform(MarkBibliographyPlace)
    app.add_post_transform(PutBibliographyBack)
    app.add_post_transform(LayOutTables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
