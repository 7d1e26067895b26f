"""A data edit re-executes exactly the chapters that read the edited table."""

from __future__ import annotations

import re

from lbclbook import sphinxext
from lbclbook.data import table_names

from conftest import ROOT

CHAPTER = 'x = load("survival")\ny = load( "proportions" )\n'


def test_tables_read_finds_literal_load_calls():
    assert sphinxext.tables_read(CHAPTER) == ["proportions", "survival"]


def test_fingerprint_follows_the_tables_read_and_only_them(book_copy):
    before = sphinxext.fingerprint(book_copy, CHAPTER)
    (book_copy / "data" / "haematologic_toxicity.csv").write_text("edited\n")
    assert sphinxext.fingerprint(book_copy, CHAPTER) == before
    survival = book_copy / "data" / "survival.csv"
    survival.write_text(survival.read_text().replace("5.3", "5.4", 1))
    assert sphinxext.fingerprint(book_copy, CHAPTER) != before


def test_fingerprint_follows_the_package_code(book_copy):
    before = sphinxext.fingerprint(book_copy, CHAPTER)
    stats = book_copy / "lbclbook" / "stats.py"
    stats.write_text(stats.read_text() + "\n# changed\n")
    assert sphinxext.fingerprint(book_copy, CHAPTER) != before


def test_every_load_in_the_book_names_a_table_literally():
    # A load() with a computed name would hide a dependency from the build.
    known = set(table_names(ROOT))
    for page in [ROOT / "intro.md", *sorted((ROOT / "chapters").glob("*.md"))]:
        text = page.read_text()
        calls = re.findall(r"\bload\(", text)
        literal = sphinxext.LOAD_CALL.findall(text)
        assert len(calls) == len(literal), f"{page.name}: load() without a literal name"
        assert set(literal) <= known, f"{page.name}: unknown table"
