"""How to cite a chapter or a case, built from ``CITATION.cff`` (never typed twice).

The same text appears on the chapter's page and in its PDF: both come from
the chapter's last cell, :func:`show_chapter_citation` (given the chapter's
slug; the title is read from the chapter's heading). A case ends with
:func:`show_case_citation`. The PDF's title block takes its book title,
authors, version and data date from here too.

A citation names a fixed version: its address is the permanent copy of this
version of the book (``<url>v<version>/...``), which the Pages workflow keeps
readable after later releases. The same data give the citation files the
site offers (BibTeX, RIS, CSL-JSON: :func:`citation_files`) and the page's
citation meta tags, so that a reference manager and a reader copying the
text get the same reference.

How current the evidence is (:func:`evidence_date`) comes from the data: the
newest publication among the page's references (the ``year`` of
``data/studies.csv``; the data hold no months, so none is given) and the
book's search date, the latest row of ``data/source_checks.csv``.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pybtex.database
import yaml

from . import citecheck, data, markup, toc
from .paths import book_root

PDF_FOLDER = "pdf"  # the chapter PDFs, under the site's root
CITE_FOLDER = "cite"  # the citation files, under the site's root
# Citation files offered for each citable page: file suffix -> format name.
FORMATS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}
# The tables the how-to-cite text reads (a page that shows it depends on them).
TABLES_READ = ("studies", "source_checks")
CITABLE_FOLDERS = ("chapters", "cases")
_HEADING = re.compile(r"^# (.+?)\s*$", re.MULTILINE)


class _CffLoader(yaml.SafeLoader):
    """YAML as the Citation File Format reads it: dates stay strings."""


_CffLoader.add_constructor("tag:yaml.org,2002:timestamp", _CffLoader.construct_yaml_str)


def metadata(root: Path | None = None) -> dict:
    path = (root or book_root()) / "CITATION.cff"
    return yaml.load(path.read_text("utf-8"), Loader=_CffLoader)


def author_names(cff: dict) -> list[str]:
    """Each author as cited: an entity's name, or ``Family, Given``."""
    return [a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"]]


def authors(cff: dict) -> str:
    return ", ".join(author_names(cff))


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
    """The hosted book's address, ending in ``/``: the latest version."""
    return cff["url"].rstrip("/") + "/"


def version_url(cff: dict) -> str:
    """Where this version stays readable after later releases, ending in ``/``."""
    return f"{site_url(cff)}v{cff['version']}/"


def chapter_url(cff: dict, slug: str) -> str:
    """Chapter ``slug`` in the latest version of the book."""
    return f"{site_url(cff)}chapters/{slug}.html"


def cited_url(cff: dict, page: str) -> str:
    """Page ``page`` (``chapters/radiotherapy``) in this version's permanent copy."""
    return f"{version_url(cff)}{page}.html"


def pdf_path(slug: str) -> str:
    """Where chapter ``slug``'s PDF lives, relative to the site's root."""
    return f"{PDF_FOLDER}/{slug}.pdf"


def citation_file_path(page: str, suffix: str) -> str:
    """Where page ``page``'s citation file of one format lives, relative to the site's root."""
    return f"{CITE_FOLDER}/{page}.{suffix}"


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


def citable_pages(root: Path | None = None) -> list[str]:
    """The pages that are cited on their own: the chapters and the cases in ``_toc.yml``."""
    return [page for page in toc.pages_in_toc(root or book_root())
            if page.split("/")[0] in CITABLE_FOLDERS]


# --------------------------------------------------------------------------
# How current the evidence is


@dataclass(frozen=True)
class Evidence:
    """How current a page's evidence is: the newest publication among its
    references (a year: the data hold no months) and the book's search date."""

    latest_year: int | None
    searched: datetime.date
    whose: str = "this chapter's references"

    def text(self) -> str:
        """``Evidence current through 2024 (the newest publication among this
        chapter's references); the book's sources were last checked on ...``."""
        sources = "the sources" if self.whose == BOOK_SOURCES else "the book's sources"
        checked = f"{sources} were last checked on {long_date(self.searched)}"
        if self.latest_year is None:
            return f"{checked[0].upper()}{checked[1:]}."
        return (f"Evidence current through {self.latest_year} (the newest publication "
                f"among {self.whose}); {checked}.")


BOOK_SOURCES = "the book's sources"


def search_date(root: Path | None = None) -> datetime.date:
    """The book's search date: the latest check of its sources (``data/source_checks.csv``)."""
    checks = data.load("source_checks", root)
    return max(datetime.date.fromisoformat(day) for day in checks.checked_on)


def evidence_date(page: str, root: Path | None = None) -> Evidence:
    """How current the evidence of ``page`` is: a chapter's slug
    (``radiotherapy``) or a page's path (``cases/nivolumab-dlbcl``)."""
    root = root or book_root()
    page = page if "/" in page else f"chapters/{page}"
    cited = citecheck.cited_keys((root / f"{page}.md").read_text("utf-8"))
    return _evidence(root, cited, _whose(page))


def book_evidence_date(root: Path | None = None) -> Evidence:
    """How current the book's evidence is: its newest source and its search date."""
    root = root or book_root()
    return _evidence(root, None, BOOK_SOURCES)


def show_book_evidence() -> None:
    """Display, as a paragraph, how current the whole book's evidence is."""
    text = book_evidence_date().text()
    markup.show({markup.MARKDOWN: markup.escape(text), "text/plain": text})


def _evidence(root: Path, keys: set[str] | None, whose: str) -> Evidence:
    studies = data.load("studies", root).set_index("study")
    years = studies.year if keys is None else studies.year[studies.index.isin(keys)]
    years = years.dropna()
    latest = int(years.max()) if len(years) else None
    return Evidence(latest, search_date(root), whose)


# --------------------------------------------------------------------------
# The citation of one page, and its files


@dataclass(frozen=True)
class Work:
    """Everything a citation of one page says, from ``CITATION.cff`` and the page."""

    page: str  # "chapters/radiotherapy"
    title: str
    book: str
    authors: list[dict]  # as CITATION.cff lists them
    version: str
    released: datetime.date
    url: str  # this version's permanent copy of the page
    pdf_url: str | None  # chapters only
    keywords: list[str]
    evidence: Evidence

    @property
    def slug(self) -> str:
        return self.page.split("/")[-1]

    @property
    def key(self) -> str:
        """A citation key: the page and the version (``radiotherapy-v0.1.0``)."""
        return f"{self.slug}-v{self.version}"

    @property
    def edition(self) -> str:
        return f"Version {self.version}, data of {long_date(self.released)}"

    @property
    def text(self) -> str:
        """The citation as a reader copies it, ending in the page's address."""
        names = ", ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}"
                          for a in self.authors)
        return f"{names}. {self.title}. In: {self.book}. {self.edition}. {self.url}"


def work(page: str, root: Path | None = None) -> Work:
    """The citation of ``page`` (``chapters/radiotherapy``, ``cases/...``)."""
    root = root or book_root()
    cff = metadata(root)
    is_chapter = page.startswith("chapters/")
    slug = page.split("/")[-1]
    return Work(page=page, title=page_title(root, page), book=cff["title"],
                authors=list(cff["authors"]), version=str(cff["version"]),
                released=data_date(cff), url=cited_url(cff, page),
                pdf_url=f"{version_url(cff)}{pdf_path(slug)}" if is_chapter else None,
                keywords=list(cff.get("keywords", [])),
                evidence=evidence_date(page, root))


def bibtex(w: Work) -> str:
    """The citation as a BibTeX ``@incollection`` entry, written by pybtex."""
    persons = [pybtex.database.Person(f"{{{a['name']}}}") if a.get("name")
               else pybtex.database.Person(first=a["given-names"], last=a["family-names"])
               for a in w.authors]
    fields = {
        # Braces keep the capitals (CD19, CAR-T) in styles that lower-case titles.
        "title": f"{{{w.title}}}",
        "booktitle": f"{{{w.book}}}",
        "year": str(w.released.year),
        "date": w.released.isoformat(),  # biblatex; BibTeX styles use the year
        "version": w.version,
        "note": f"{w.edition}. {w.evidence.text()}",
        "url": w.url,
    }
    entry = pybtex.database.Entry("incollection", fields=fields, persons={"author": persons})
    return pybtex.database.BibliographyData({w.key: entry}).to_string("bibtex")


def ris(w: Work) -> str:
    """The citation as an RIS record (``TAG  - value`` lines, ``TY`` first, ``ER`` last)."""
    lines = [("TY", "CHAP"), ("ID", w.key)]
    # An entity's name has no comma, so RIS readers keep it whole.
    lines += [("AU", a.get("name") or f"{a['family-names']}, {a['given-names']}")
              for a in w.authors]
    lines += [("TI", w.title), ("T2", w.book), ("PY", str(w.released.year)),
              ("DA", f"{w.released:%Y/%m/%d}"), ("ET", f"Version {w.version}"),
              ("UR", w.url)]
    if w.pdf_url:
        lines.append(("L1", w.pdf_url))
    lines += [("KW", keyword) for keyword in w.keywords]
    lines += [("N1", f"{w.edition}. {w.evidence.text()}"), ("ER", "")]
    # The RIS specification ends every line with CR LF.
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def csl_json(w: Work) -> str:
    """The citation as CSL-JSON: a list holding one ``chapter`` item."""
    item = {
        "id": w.key,
        "type": "chapter",
        "title": w.title,
        "container-title": w.book,
        "author": [{"literal": a["name"]} if a.get("name")
                   else {"family": a["family-names"], "given": a["given-names"]}
                   for a in w.authors],
        "issued": {"date-parts": [[w.released.year, w.released.month, w.released.day]]},
        "version": w.version,
        "URL": w.url,
        "note": f"{w.edition}. {w.evidence.text()}",
    }
    if w.keywords:
        item["keyword"] = ", ".join(w.keywords)
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


def citation_files(page: str, root: Path | None = None) -> dict[str, str]:
    """Page ``page``'s citation in every format: file suffix -> text."""
    w = work(page, root)
    return {"bib": bibtex(w), "ris": ris(w), "json": csl_json(w)}


def _whose(page: str) -> str:
    kind = "chapter" if page.startswith("chapters/") else page.split("/")[0].removesuffix("s")
    return f"this {kind}'s references"


# --------------------------------------------------------------------------
# The how-to-cite text on the page


def chapter_citation(chapter_title: str, root: Path | None = None) -> str:
    """Plain-text citation of one chapter of the book, ending in its address."""
    root = root or book_root()
    return work(f"chapters/{chapter_slug(root, chapter_title)}", root).text


def show_chapter_citation(slug: str) -> None:
    """Display the citation of chapter ``slug`` as a quotation block, how current
    its evidence is, and on the web the citation files and links to its PDF,
    its slides and its handout.

    The title is the chapter's own ``# `` heading, read from its source: it is
    written once, on the page.
    """
    _show_citation(f"chapters/{slug}",
                   f"{{chapter-pdf}}`{slug}`\n\n{{teaching-material}}`{slug}`")


def show_case_citation(slug: str) -> None:
    """Display the citation of case ``slug`` (``cases/<slug>.md``), as for a chapter."""
    _show_citation(f"cases/{slug}")


def _show_citation(page: str, web_extra: str = "") -> None:
    w = work(page)
    evidence = w.evidence.text()
    text = w.text.removesuffix(f" {w.url}")
    # The address is an autolink (it comes from CITATION.cff, checked as a URI).
    quote = f"> {markup.escape(text)} <{w.url}>"
    # On the web: the citation files and a copy button, drawn by the site.
    tools = f"```{{citation-tools}} {page}\n```"  # page: a path of _toc.yml
    web = markup.directive("only", "html", {}, "\n\n".join(filter(None, [tools, web_extra])))
    markup.show({markup.MARKDOWN: f"{quote}\n\n{markup.escape(evidence)}\n\n{web}",
                 "text/plain": f"{w.text}\n\n{evidence}"})
