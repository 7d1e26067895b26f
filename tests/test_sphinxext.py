"""A data edit re-executes exactly the chapters that read the edited table."""

from __future__ import annotations

import re

from lbclbook.toolchain import stamps
from lbclbook.data import table_names

from conftest import ROOT

CHAPTER = 'x = load("survival")\ny = load( "proportions" )\n'


def test_tables_read_finds_literal_load_calls():
    assert stamps.tables_read(CHAPTER, ["a", "b"]) == ["proportions", "survival"]


def test_a_computed_load_makes_the_page_read_every_table():
    text = CHAPTER + "tables = {name: load(name) for name in names}\n"
    assert stamps.tables_read(text, ["x", "y"]) == ["x", "y"]


def test_fingerprint_follows_the_tables_read_and_only_them(book_copy):
    before = stamps.fingerprint(book_copy, CHAPTER)
    (book_copy / "data" / "haematologic_toxicity.csv").write_text("edited\n")
    assert stamps.fingerprint(book_copy, CHAPTER) == before
    survival = book_copy / "data" / "survival.csv"
    survival.write_text(survival.read_text().replace("5.3", "5.4", 1))
    assert stamps.fingerprint(book_copy, CHAPTER) != before


def test_fingerprint_follows_the_package_code(book_copy):
    before = stamps.fingerprint(book_copy, CHAPTER)
    stats = book_copy / "lbclbook" / "stats.py"
    stats.write_text(stats.read_text() + "\n# changed\n")
    assert stamps.fingerprint(book_copy, CHAPTER) != before


def test_every_literal_load_in_the_book_names_a_known_table():
    known = set(table_names(ROOT))
    pages = [p for p in ROOT.rglob("*.md") if not set(p.relative_to(ROOT).parts[:1])
             & {"_build", ".venv", "tests", "README.md"}]
    assert len(pages) > 5
    for page in pages:
        assert set(stamps.LOAD_CALL.findall(page.read_text())) <= known, page.name


def test_a_page_listing_figures_follows_the_figure_files(book_copy):
    text = 'sorted((root / "figures").glob("*.svg"))'
    before = stamps.fingerprint(book_copy, text)
    (book_copy / "figures" / "new-figure.svg").write_text("<svg/>")
    assert stamps.fingerprint(book_copy, text) != before


def test_a_page_listing_figures_follows_their_records(book_copy):
    # The gallery shows each figure's caption and alt text from its record.
    text = 'sorted((root / "figures").glob("*.json"))'
    before = stamps.fingerprint(book_copy, text)
    record = sorted((book_copy / "figures").glob("*.json"))[0]
    record.write_text(record.read_text().replace('"caption": "', '"caption": "Edited. '))
    assert stamps.fingerprint(book_copy, text) != before


def test_fingerprint_follows_the_page_heading_and_the_chapter_registry(book_copy):
    # The how-to-cite cell prints the page's "# " heading, which is prose:
    # MyST-NB's cache (keyed on code) would keep the old title.
    page = "# Old title\n\n" + CHAPTER
    before = stamps.fingerprint(book_copy, page)
    assert stamps.fingerprint(book_copy, page.replace("Old title", "New title")) != before
    assert stamps.fingerprint(book_copy, page + "\nMore prose.\n") == before
    chapters = book_copy / "data" / "chapters.csv"
    chapters.write_text(chapters.read_text("utf-8").replace("Radiotherapy", "Radiation therapy", 1), "utf-8")
    assert stamps.fingerprint(book_copy, page) != before
