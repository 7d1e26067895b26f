"""What a reader sees on a built chapter page, as data: the teaching kit's source.

The slide decks and the handouts (``teaching``) are made from the chapter as
the site shows it, not from its source: its title and number, the "Learning
objectives" and "Key points" admonitions, every numbered figure (number,
caption, alt text, the file in ``figures/``) and table (number, caption,
header, rows), and where each comes from (the section it is in and the
references that section cites). So a deck can say nothing the page does not,
and keeps the page's figure and table numbers.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bs4 import BeautifulSoup, Tag

_NUMBER = re.compile(r"(\d+(?:\.\d+)*)")


@dataclass(frozen=True)
class Source:
    """A reference cited near a figure or table: as the page cites it, and in full."""

    short: str   # "Imber et al., 2020"
    full: str    # the reference list's entry


@dataclass(frozen=True)
class Where:
    """The section a figure or table is in, and the references cited there."""

    section: str                 # "4.2.1 Comparing courses: EQD2 and BED"
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Figure:
    number: str       # "4.1", as the page numbers it
    stem: str         # "radiotherapy-eqd2": figures/<stem>.png
    caption: str
    alt: str
    where: Where


@dataclass(frozen=True)
class Table:
    number: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right_aligned: tuple[bool, ...]   # per column, as the page aligns it
    where: Where


@dataclass(frozen=True)
class DataTable:
    file: str         # "radiotherapy_courses.csv"
    title: str        # "Salvage radiotherapy courses"


@dataclass(frozen=True)
class ChapterPage:
    slug: str
    number: str                   # "4" ("" for an unnumbered chapter)
    title: str                    # "Radiotherapy"
    objectives_lead: str          # "After this chapter you can:"
    objectives: tuple[str, ...]
    key_points: tuple[str, ...]
    figures: tuple[Figure, ...]
    tables: tuple[Table, ...]
    data_tables: tuple[DataTable, ...]


class PageError(ValueError):
    """The page lacks something the teaching kit needs (named in the message)."""


def read(html: Path, slug: str) -> ChapterPage:
    """The chapter page ``html`` (``_build/html/chapters/<slug>.html``) as data."""
    soup = BeautifulSoup(html.read_text("utf-8"), "lxml")
    article = soup.select_one("article") or soup
    heading = article.find("h1")
    if heading is None:
        raise PageError(f"{html}: no title")
    number, title = _numbered(heading)
    lead, objectives = _admonition_list(article, "Learning objectives", html)
    _, key_points = _admonition_list(article, "Key points", html)
    return ChapterPage(
        slug=slug, number=number, title=title, objectives_lead=lead,
        objectives=objectives, key_points=key_points,
        figures=tuple(_figure(f) for f in article.select("figure[id^=fig-]")),
        tables=tuple(_table(t) for t in article.select("table[id^=tbl-]")),
        data_tables=_data_tables(article))


def text(element: Tag) -> str:
    """An element's text as the reader reads it: one line, single spaces."""
    return " ".join(element.get_text().split())


def _without_headerlinks(element: Tag) -> Tag:
    for link in element.select("a.headerlink"):
        link.decompose()
    return element


def _numbered(heading: Tag) -> tuple[str, str]:
    """("4", "Radiotherapy") from the heading "4. Radiotherapy"."""
    heading = _without_headerlinks(_copy(heading))
    number = heading.select_one(".section-number")
    digits = number.get_text().strip().rstrip(".") if number else ""
    if number:
        number.decompose()
    return digits, text(heading)


def _copy(element: Tag) -> Tag:
    return copy.copy(element)  # to take parts out of, leaving the page as it was


def _admonition_list(article: Tag, title: str, html: Path) -> tuple[str, tuple[str, ...]]:
    """The lead paragraph and the bullets of the admonition titled ``title``."""
    for box in article.select("div.admonition"):
        box_title = box.select_one(".admonition-title")
        if box_title and text(box_title) == title:
            lead = box.find("p", class_=lambda c: c != "admonition-title")
            items = tuple(text(li) for li in box.select("li"))
            if not items:
                break
            return (text(lead) if lead and lead.find_parent("li") is None else ""), items
    raise PageError(f"{html}: no {title!r} box with a list")


def _caption_number(element: Tag) -> str:
    number = element.select_one(".caption-number")
    found = _NUMBER.search(number.get_text()) if number else None
    if not found:
        raise PageError(f"{element.get('id')}: no number in its caption")
    return found.group(1)


def _figure(figure: Tag) -> Figure:
    image = figure.find("img")
    stem = PurePosixPath(image["src"]).stem
    return Figure(number=_caption_number(figure), stem=stem,
                  caption=text(figure.select_one(".caption-text")),
                  alt=" ".join(image.get("alt", "").split()), where=_where(figure))


def _table(table: Tag) -> Table:
    header_cells = table.select("thead th")
    body = [tuple(text(cell) for cell in row.find_all(["td", "th"]))
            for row in table.select("tbody tr")]
    return Table(number=_caption_number(table),
                 caption=text(table.select_one(".caption-text")),
                 header=tuple(text(cell) for cell in header_cells),
                 rows=tuple(body),
                 right_aligned=tuple("text-right" in (cell.get("class") or [])
                                     for cell in header_cells),
                 where=_where(table))


def _where(element: Tag) -> Where:
    """The section holding ``element``, and the references cited in it (or,
    if it cites none, in the nearest section around it that does)."""
    section = element.find_parent("section")
    heading = section.find(["h1", "h2", "h3", "h4"]) if section else None
    title = ""
    if heading is not None:
        number, name = _numbered(heading)
        title = f"{number} {name}".strip()
    sources: tuple[Source, ...] = ()
    while section is not None and not sources and section.find_parent("section"):
        sources = _sources(section)
        section = section.find_parent("section")
    return Where(title, sources)


def _sources(section: Tag) -> tuple[Source, ...]:
    """The references a section cites, once each, in the order first cited."""
    found: dict[str, Source] = {}
    for citation in section.select("span.bibtex-citation"):
        # "Chow et al. [2019]" (a textual citation) or "[Chow et al., 2019, ...]"
        author = text(citation).split("[")[0].strip()
        for link in citation.find_all("a"):
            short = f"{author}, {text(link)}" if author else text(link)
            full = " ".join(link.get("title", short).split())
            found.setdefault(full, Source(short, full))
    return tuple(found.values())


def _data_tables(article: Tag) -> tuple[DataTable, ...]:
    """The tables of ``data/`` the page lists under "Data for this chapter"."""
    section = article.select_one("section#data-for-this-chapter")
    found = []
    for item in (section.select("li") if section else []):
        name = item.select_one("code")
        if name is None or not name.get_text().endswith(".csv"):
            continue
        file = name.get_text().strip()
        found.append(DataTable(file, text(item).removeprefix(file).lstrip(": ").strip()))
    return tuple(found)
