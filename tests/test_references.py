"""The bibliography: every entry says how it was checked, and the deck's
corrected references are carried over unchanged."""

from __future__ import annotations

import re

import pybtex.database
import pytest

from lbclbook.data import references

from conftest import ROOT

SEED_BIB = ROOT.parent / "shared" / "sources" / "seed-references.bib"


def test_every_entry_records_how_it_was_verified():
    missing = [key for key, entry in references(ROOT).entries.items()
               if not entry.fields.get("verification")]
    assert not missing


@pytest.mark.skipif(not SEED_BIB.exists(), reason="../shared is not beside the book")
def test_seed_references_are_copied_with_their_verification():
    seed = pybtex.database.parse_file(str(SEED_BIB))
    book = references(ROOT)
    for key, entry in seed.entries.items():
        assert key in book.entries, key
        for field in ("title", "year", "verification"):
            assert book.entries[key].fields.get(field) == entry.fields.get(field), (key, field)


def test_every_citation_in_the_book_has_an_entry():
    keys = set(references(ROOT).entries)
    for page in [ROOT / "intro.md", *sorted((ROOT / "chapters").glob("*.md"))]:
        prefix = re.search(r":keyprefix: (\S+)", page.read_text())
        for cited in re.findall(r"\{cite:[a-z]+\}`([^`]+)`", page.read_text()):
            for key in cited.split(","):
                key = key.strip().removeprefix(prefix.group(1) if prefix else "")
                assert key in keys, f"{page.name} cites {key!r}"


def test_no_unverified_doi_is_printed():
    # A DOI recalled from memory could link a reader to the wrong paper.
    printed = [key for key, entry in references(ROOT).entries.items()
               if "doi" in entry.fields
               and "doi from memory" in entry.fields.get("verification", "")]
    assert not printed


def test_every_glossary_term_is_linked_at_its_first_use_in_each_chapter():
    from lbclbook import glossary

    terms = glossary.terms(ROOT)
    for page in sorted((ROOT / "chapters").glob("*.md")):
        _, unlinked = glossary.link_first_uses(page.read_text(), terms)
        assert not unlinked, f"{page.name}: run python -m lbclbook.glossary ({unlinked})"
