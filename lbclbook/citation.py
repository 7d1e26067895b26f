"""How to cite a chapter, built from ``CITATION.cff`` (never typed twice).

The same text appears on the chapter's page and in its PDF: both come from
the chapter's last cell, :func:`show_chapter_citation` (given the chapter's
slug; the title is read from the chapter's heading). The PDF's title block
takes its book title, authors, version and data date from here too.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import yaml

from . import markup
from .paths import book_root

PDF_FOLDER = "pdf"  # the chapter PDFs, under the site's root
_HEADING = re.compile(r"^# (.+?)\s*$", re.MULTILINE)


class _CffLoader(yaml.SafeLoader):
    """YAML as the Citation File Format reads it: dates stay strings."""


_CffLoader.add_constructor("tag:yaml.org,2002:timestamp", _CffLoader.construct_yaml_str)


def metadata(root: Path | None = None) -> dict:
    path = (root or book_root()) / "CITATION.cff"
    return yaml.load(path.read_text("utf-8"), Loader=_CffLoader)


def authors(cff: dict) -> str:
    return ", ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}"
                     for a in cff["authors"])


def data_date(cff: dict) -> datetime.date:
    """The date of the data this version was built from (``date-released``)."""
    return datetime.date.fromisoformat(cff["date-released"])


def long_date(day: datetime.date) -> str:
    """``23 November 2026``: unambiguous for every reader."""
    return f"{day.day} {day:%B %Y}"


def edition(cff: dict) -> str:
    """``Version 0.1.0, data of 23 November 2026``."""
    return f"Version {cff['version']}, data of {long_date(data_date(cff))}"


def site_url(cff: dict) -> str:
    """The hosted book's address, ending in ``/``."""
    return cff["url"].rstrip("/") + "/"


def chapter_url(cff: dict, slug: str) -> str:
    return f"{site_url(cff)}chapters/{slug}.html"


def pdf_path(slug: str) -> str:
    """Where chapter ``slug``'s PDF lives, relative to the site's root."""
    return f"{PDF_FOLDER}/{slug}.pdf"


def chapter_title(root: Path, slug: str) -> str:
    """The chapter's title: the first ``# `` heading of its source."""
    return page_title(root, f"chapters/{slug}")


def page_title(root: Path, page: str) -> str:
    """A page's title: the first ``# `` heading of ``<page>.md``."""
    heading = _HEADING.search((root / f"{page}.md").read_text("utf-8"))
    if not heading:
        raise ValueError(f"{page}.md has no '# ' title")
    return heading.group(1)


def chapter_slug(root: Path, title: str) -> str:
    """The chapter whose title is ``title``: the citation must match the heading."""
    for source in sorted((root / "chapters").glob("*.md")):
        if chapter_title(root, source.stem) == title:
            return source.stem
    raise ValueError(f"no chapter is titled {title!r}: cite the chapter by its '# ' title")


def chapter_citation(chapter_title: str, root: Path | None = None) -> str:
    """Plain-text citation of one chapter of the book, ending in its address."""
    text, url = _citation(chapter_title, root or book_root())
    return f"{text} {url}"


def _citation(chapter_title: str, root: Path) -> tuple[str, str]:
    cff = metadata(root)
    slug = chapter_slug(root, chapter_title)
    text = f"{authors(cff)}. {chapter_title}. In: {cff['title']}. {edition(cff)}."
    return text, chapter_url(cff, slug)


def show_chapter_citation(slug: str) -> None:
    """Display the citation of chapter ``slug`` as a quotation block, and on the
    web a link to its PDF.

    The title is the chapter's own ``# `` heading, read from its source: it is
    written once, on the page.
    """
    root = book_root()
    text, url = _citation(chapter_title(root, slug), root)
    # The address is an autolink (it comes from CITATION.cff, checked as a URI).
    quote = f"> {markup.escape(text)} <{url}>"
    pdf_link = markup.directive("only", "html", {}, f"{{chapter-pdf}}`{slug}`")
    markup.show({markup.MARKDOWN: f"{quote}\n\n{pdf_link}", "text/plain": f"{text} {url}"})
