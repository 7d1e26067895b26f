"""Citing a chapter or a case: the citation files, the meta tags, how current
the evidence is, and Zenodo's metadata, all from CITATION.cff and the data.

The files are checked the way a reference manager reads them: BibTeX parsed
by pybtex, CSL-JSON as JSON with the fields CSL processors need, RIS line by
line (``TAG  - value``, ``TY`` first, ``ER`` last). Zenodo's deposit metadata
is checked against ``tests/schemas/zenodo-deposit-metadata.json``, the fields
and values of Zenodo's REST API documentation for the fields the book writes.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from pathlib import Path

import jsonschema
import pybtex.database
import pandas as pd
import pytest

from lbclbook import citation, citecheck, data, toc
from lbclbook.toolchain import citing, release, stamps

from conftest import ROOT

PAGES = citation.citable_pages(ROOT)
ZENODO_SCHEMA = Path(__file__).parent / "schemas" / "zenodo-deposit-metadata.json"
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - .*$")
CSL_TYPES = {"article", "article-journal", "book", "chapter", "dataset", "document",
             "entry", "report", "webpage"}  # those a book's part could be


def test_every_chapter_and_case_is_citable():
    assert [p for p in PAGES if p.startswith("chapters/")] == [
        f"chapters/{slug}" for slug in toc.chapter_numbers(ROOT)]
    assert sorted(p for p in PAGES if p.startswith("cases/")) == sorted(
        f"cases/{path.stem}" for path in (ROOT / "cases").glob("*.md"))


@pytest.mark.parametrize("page", PAGES)
def test_the_bibtex_parses_and_says_what_citation_cff_says(page):
    cff = citation.metadata(ROOT)
    bib = pybtex.database.parse_string(citation.citation_files(page, ROOT)["bib"], "bibtex")
    (key, entry), = bib.entries.items()
    assert entry.type == "incollection"
    assert key == f"{page.split('/')[-1]}-v{cff['version']}"
    assert entry.fields["title"] == "{" + citation.page_title(ROOT, page) + "}"
    assert entry.fields["booktitle"] == "{" + cff["title"] + "}"
    assert entry.fields["version"] == cff["version"]
    assert entry.fields["year"] == cff["date-released"][:4]
    assert entry.fields["url"] == citation.cited_url(cff, page)
    assert [str(p) for p in entry.persons["author"]] == [
        "{" + name + "}" for name in citation.author_names(cff)]


@pytest.mark.parametrize("page", PAGES)
def test_the_csl_json_has_the_fields_csl_processors_need(page):
    cff = citation.metadata(ROOT)
    items = json.loads(citation.citation_files(page, ROOT)["json"])
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert item["id"] and item["type"] in CSL_TYPES
    assert item["title"] == citation.page_title(ROOT, page)
    assert item["container-title"] == cff["title"]
    assert [a.get("literal") for a in item["author"]] == citation.author_names(cff)
    released = citation.data_date(cff)
    assert item["issued"] == {"date-parts": [[released.year, released.month, released.day]]}
    assert item["version"] == cff["version"] and item["URL"] == citation.cited_url(cff, page)


@pytest.mark.parametrize("page", PAGES)
def test_the_ris_record_is_well_formed(page):
    text = citation.citation_files(page, ROOT)["ris"]
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")[:-1]
    assert all(RIS_LINE.match(line) for line in lines), lines
    assert lines[0] == "TY  - CHAP" and lines[-1] == "ER  - "
    tags = {line[:2]: line[6:] for line in lines}
    cff = citation.metadata(ROOT)
    assert tags["TI"] == citation.page_title(ROOT, page) and tags["T2"] == cff["title"]
    assert tags["UR"] == citation.cited_url(cff, page)
    assert tags["DA"] == cff["date-released"].replace("-", "/")
    assert ("L1" in tags) == page.startswith("chapters/")  # only chapters have a PDF


def test_the_files_follow_an_edited_citation_cff(in_book):
    cff_path = in_book / "CITATION.cff"
    cff_path.write_text(release.bumped(cff_path.read_text(), "9.8.7", datetime.date(2031, 2, 3)))
    files = citation.citation_files("chapters/radiotherapy", in_book)
    assert "radiotherapy-v9.8.7" in files["bib"] and "ET  - Version 9.8.7" in files["ris"]
    assert json.loads(files["json"])[0]["issued"]["date-parts"] == [[2031, 2, 3]]
    assert "/v9.8.7/chapters/radiotherapy.html" in files["json"]


def test_a_citation_names_the_permanent_copy_of_its_version():
    cff = citation.metadata(ROOT)
    title = citation.chapter_title(ROOT, "radiotherapy")
    assert citation.chapter_citation(title, ROOT).endswith(
        f"/v{cff['version']}/chapters/radiotherapy.html")
    assert citation.cited_url(cff, "cases/nivolumab-dlbcl").startswith(citation.site_url(cff))


# --------------------------------------------------------------------------
# How current the evidence is


def newest_cited_year(page: str) -> int:
    text = (ROOT / f"{page}.md").read_text("utf-8")
    studies = data.load("studies", ROOT).set_index("study")
    keys = citecheck.cited_keys(text)
    return int(studies.year[studies.index.isin(keys)].max())


@pytest.mark.parametrize("page", PAGES)
def test_each_page_says_how_current_its_evidence_is(page):
    evidence = citation.evidence_date(page, ROOT)
    assert evidence.latest_year == newest_cited_year(page)
    assert evidence.searched == datetime.date(2026, 11, 28)
    text = evidence.text()
    # Years only from the data: no month is invented for a publication.
    assert re.match(rf"^Evidence current through {evidence.latest_year} \(the newest "
                    r"publication among this (chapter|case)'s references\); the book's "
                    r"sources were last checked on 28 November 2026\.$", text), text


def test_the_book_wide_evidence_date_is_the_newest_source():
    studies = data.load("studies", ROOT)
    evidence = citation.book_evidence_date(ROOT)
    assert evidence.latest_year == int(studies.year.max())
    assert evidence.text().startswith(f"Evidence current through {evidence.latest_year} (")


def test_the_evidence_date_follows_the_data(in_book):
    studies = in_book / "data" / "studies.csv"
    cited = sorted(citecheck.cited_keys(
        (in_book / "chapters" / "radiotherapy.md").read_text()))
    table = pd.read_csv(studies, dtype=str, keep_default_na=False)
    table.loc[table.study == cited[0], "year"] = "2026"
    table.to_csv(studies, index=False)
    checks = in_book / "data" / "source_checks.csv"
    checks.write_text(checks.read_text() + "2027-01-15,A later check.\n")
    evidence = citation.evidence_date("radiotherapy", in_book)
    assert (evidence.latest_year, evidence.searched) == (2026, datetime.date(2027, 1, 15))


def test_a_source_newer_than_the_last_check_stops_the_build(in_book):
    checks = in_book / "data" / "source_checks.csv"
    checks.write_text("checked_on,scope\n2019-06-01,An old check.\n")
    with pytest.raises(data.DataError, match=r"data/source_checks.csv, row 2, column "
                                             r"'checked_on': rule 'checks-postdate-sources'"):
        data.validate_all(in_book, ["source_checks"])


def test_the_search_date_must_be_a_date(in_book):
    (in_book / "data" / "source_checks.csv").write_text("checked_on,scope\n28/11/2026,x\n")
    with pytest.raises(data.DataError, match="row 2, column 'checked_on': rule 'type-error'"):
        data.validate_all(in_book, ["source_checks"])


def test_the_how_to_cite_cell_shows_the_evidence_and_the_web_tools(in_book, monkeypatch):
    shown = []
    monkeypatch.setattr(citation.markup, "show", shown.append)
    citation.show_chapter_citation("radiotherapy")
    citation.show_case_citation("nivolumab-dlbcl")
    chapter, case = (bundle[citation.markup.MARKDOWN] for bundle in shown)
    assert chapter.startswith("> ") and "Evidence current through" in chapter
    assert "```{citation-tools} chapters/radiotherapy\n```" in chapter
    assert "{chapter-pdf}`radiotherapy`" in chapter
    assert "```{citation-tools} cases/nivolumab-dlbcl\n```" in case and "chapter-pdf" not in case


def test_a_pages_stamp_follows_what_its_citation_reads(book_copy):
    page = book_copy / "chapters" / "radiotherapy.md"
    text = page.read_text()
    before = stamps.fingerprint(book_copy, text)
    assert book_copy / "data" / "source_checks.csv" in stamps.dependencies(book_copy, text)
    checks = book_copy / "data" / "source_checks.csv"
    checks.write_text(checks.read_text() + "2027-01-15,A later check.\n")
    after_check = stamps.fingerprint(book_copy, text)
    cited = text.replace("## References", "A new citation {cite:p}`rt-fried2019`.\n\n## References")
    assert len({before, after_check, stamps.fingerprint(book_copy, cited)}) == 3


def test_the_book_wide_evidence_date_makes_a_page_depend_on_the_search_date(book_copy):
    landing = "```{code-cell} ipython3\nshow_book_evidence()\n```\n"
    assert book_copy / "data" / "source_checks.csv" in stamps.dependencies(book_copy, landing)
    assert book_copy / "data" / "source_checks.csv" not in stamps.dependencies(
        book_copy, "```{code-cell} ipython3\nprint(1)\n```\n")


# --------------------------------------------------------------------------
# What the site adds: the tools on the page and the meta tags


def test_the_copy_buttons_carry_the_text_they_copy():
    work = citation.work("chapters/radiotherapy", ROOT)
    tools = citing.tools_html(work, "chapters")
    copied = [html.unescape(t) for t in re.findall(r'data-copy-text="([^"]*)"', tools)]
    assert copied == [work.text, citation.bibtex(work)]
    assert re.search(r'<p class="lbcl-cite-copy" hidden>', tools)  # shown by its script
    for suffix in citation.FORMATS:
        assert f'href="../cite/chapters/radiotherapy.{suffix}"' in tools


def test_highwire_tags_say_what_citation_cff_says():
    cff = citation.metadata(ROOT)
    work = citation.work("chapters/radiotherapy", ROOT)
    tags = citing.highwire_tags(work)
    names = [name for name, _ in tags]
    assert dict(tags)["citation_title"] == citation.chapter_title(ROOT, "radiotherapy")
    assert [v for n, v in tags if n == "citation_author"] == citation.author_names(cff)
    assert dict(tags)["citation_book_title"] == dict(tags)["citation_inbook_title"] == cff["title"]
    assert dict(tags)["citation_publication_date"] == cff["date-released"].replace("-", "/")
    assert dict(tags)["citation_version"] == cff["version"]
    assert dict(tags)["citation_pdf_url"] == citation.version_url(cff) + "pdf/radiotherapy.pdf"
    assert "citation_pdf_url" not in dict(citing.highwire_tags(
        citation.work("cases/nivolumab-dlbcl", ROOT)))
    assert len(names) == len(set(names)) + len(cff["authors"]) - 1  # one tag per author


# --------------------------------------------------------------------------
# Zenodo


def zenodo_errors(metadata: dict) -> list[str]:
    schema = json.loads(ZENODO_SCHEMA.read_text("utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [error.message for error in validator.iter_errors(metadata)]


def test_zenodo_json_is_generated_from_citation_cff():
    cff = citation.metadata(ROOT)
    assert (ROOT / ".zenodo.json").read_text("utf-8") == release.zenodo_text(cff), (
        ".zenodo.json disagrees with CITATION.cff: `make release` regenerates it")


def test_zenodo_json_validates():
    metadata = json.loads((ROOT / ".zenodo.json").read_text("utf-8"))
    assert zenodo_errors(metadata) == []
    assert metadata["version"] == citation.metadata(ROOT)["version"]


@pytest.mark.parametrize("field, bad", [("upload_type", "book"), ("publication_date", "2026/11/23"),
                                        ("creators", []), ("license", ""),
                                        ("related_identifiers", [{"identifier": "x",
                                                                  "relation": "isBookOf"}])])
def test_broken_zenodo_metadata_fails_validation(field, bad):
    metadata = json.loads((ROOT / ".zenodo.json").read_text("utf-8")) | {field: bad}
    assert zenodo_errors(metadata)
