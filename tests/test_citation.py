"""CITATION.cff is valid, and every citation and PDF title block comes from it.

The validator: cffconvert 2.0.0 (its latest release) pins ``jsonschema<4``,
which cannot be installed beside the book's (frictionless needs 4.20 or
later). So the file is checked the way cffconvert checks it, with the book's
jsonschema against the Citation File Format 1.2.0 schema that cffconvert
2.0.0 ships, vendored in ``tests/schemas/`` (sha256 0b8d2214...cc169b).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
import yaml

from lbclbook import citation, toc
from lbclbook.toolchain import pdf, pdfext

from conftest import ROOT

SCHEMA = Path(__file__).parent / "schemas" / "citation-file-format-1.2.0.json"
SCHEMA_SHA256 = "0b8d22140da702d766df318dcff3a91af2f39521298dcf36d76315fd99cc169b"
CHAPTER = "failure-after-car-t"


def cff_errors(cff: dict) -> list[str]:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(cff)]


def test_the_vendored_schema_is_cffconverts():
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_citation_cff_validates():
    assert cff_errors(citation.metadata(ROOT)) == []


@pytest.mark.parametrize("field, bad", [("date-released", "23 November 2026"),
                                        ("authors", []), ("version", None),
                                        ("cff-version", "9.9.9")])
def test_a_broken_citation_cff_fails_validation(field, bad):
    cff = citation.metadata(ROOT) | {field: bad}
    assert cff_errors(cff)


def test_the_book_has_a_version_a_data_date_and_an_address():
    cff = citation.metadata(ROOT)
    assert cff["version"] and citation.data_date(cff).year >= 2020
    assert citation.site_url(cff).startswith("https://")


def test_citation_is_built_from_citation_cff(in_book):
    title = citation.chapter_title(in_book, CHAPTER)
    cff_path = in_book / "CITATION.cff"
    cff_path.write_text(cff_path.read_text().replace('version: "0.1.0"', 'version: "9.8.7"')
                        .replace('date-released: "2026-11-23"', 'date-released: "2031-02-03"'))
    text = citation.chapter_citation(title)
    assert "Version 9.8.7, data of 3 February 2031." in text
    assert text.startswith(f"{citation.authors(citation.metadata())}. {title}. In: ")
    assert text.endswith(f"/chapters/{CHAPTER}.html")


def test_a_citation_must_use_the_chapters_own_title(in_book):
    with pytest.raises(ValueError, match="no chapter is titled"):
        citation.chapter_citation("A title the chapter does not have")


def test_chapters_are_numbered_on_through_numbered_parts_only(in_book):
    (in_book / "_toc.yml").write_text(yaml.safe_dump({
        "format": "jb-book", "root": "intro", "parts": [
            {"caption": "One", "numbered": True, "chapters": [{"file": "chapters/a"}]},
            {"caption": "Two", "numbered": True, "chapters": [{"file": "chapters/b"},
                                                              {"file": "chapters/c"}]},
            {"caption": "Appendices", "chapters": [{"file": "chapters/d"}]}]}))
    assert toc.chapter_numbers(in_book) == {"a": 1, "b": 2, "c": 3, "d": None}


def test_latex_escape_leaves_no_special_character_active():
    # Sphinx's own escape (sphinx.util.texescape), as its LaTeX writer uses it
    # for XeLaTeX: hyphens become \sphinxhyphen{}, which PDF strings turn back.
    assert pdf.latex_escape("A & B_1 {50%} #2 $x^2~\\ [CAR-T]") == (
        r"A \& B\_1 \{50\%\} \#2 \$x\textasciicircum{}2\textasciitilde{}\textbackslash{}"
        r" {[}CAR\sphinxhyphen{}T{]}")
    assert pdf.latex_escape("Failure after CD19 CAR-T cells: ≥ 1 line") == (
        "Failure after CD19 CAR\\sphinxhyphen{}T cells: ≥ 1 line")  # Unicode kept for XeLaTeX


def test_no_hand_written_latex_escape_remains():
    from lbclbook import toolchain
    for module in Path(toolchain.__file__).parent.glob("*.py"):
        assert "textbackslash" not in module.read_text("utf-8"), module.name


def test_a_link_to_another_chapter_becomes_its_web_address_in_a_pdf(in_book):
    # What pdfext does when a chapter PDF links to a chapter it does not hold.
    app = SimpleNamespace(srcdir=str(in_book))
    node = {"reftype": "doc", "reftarget": f"/chapters/{CHAPTER}", "refexplicit": False}
    link = pdfext._link_to_the_web(app, None, node, contnode=None)
    assert link["refuri"] == citation.chapter_url(citation.metadata(in_book), CHAPTER)
    assert link.astext() == citation.chapter_title(in_book, CHAPTER)
    assert pdfext._link_to_the_web(app, None, node | {"reftarget": "/chapters/nowhere"},
                                   contnode=None) is None
