"""The data package validates, and every rule rejects bad data by name.

Each corruption test feeds one bad file and checks that the message names
the file, the row, the column and the rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from lbclbook import data
from lbclbook.data import DataError

from conftest import ROOT


def test_the_books_data_package_is_valid():
    data.validate_all(ROOT)


@pytest.mark.parametrize("name", data.table_names(ROOT))
def test_every_table_loads_with_its_schema_types(name):
    table = data.load(name, ROOT)
    schema = {r["name"]: r for r in json.loads(
        (ROOT / "data" / "datapackage.json").read_text())["resources"]}[name]["schema"]
    assert list(table.columns) == [f["name"] for f in schema["fields"]]


NOT_FROM_A_STUDY = {data.AUDIT_TABLE, "glossary", "chapters",  # findings, terminology, the book
                    "source_checks",  # when the sources were checked
                    "objectives", "questions"}  # the book's teaching (questions name their sources)


@pytest.mark.parametrize("name", [n for n in data.table_names(ROOT)
                                  if n not in NOT_FROM_A_STUDY])
def test_every_row_names_its_study_and_source(name):
    table = data.load(name, ROOT)
    assert "source" in table.columns
    assert "study" in table.columns or "studies" in table.columns  # one key, or several (decision aid)
    assert (table["source"].str.strip() != "").all()


# --------------------------------------------------------------------------
# Corruptions. Each edits one CSV of a copy of the book and expects one rule.


def edit_cell(root: Path, table: str, row: int, column: str, value: str) -> None:
    """Set ``column`` of data row ``row`` (0-based) to the literal ``value``."""
    path = root / "data" / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def rejected(root: Path, table: str) -> str:
    with pytest.raises(DataError) as caught:
        data.load(table, root)
    return str(caught.value)


def test_events_above_n(book_copy):
    edit_cell(book_copy, "proportions", 0, "events", "62")  # n is 61
    message = rejected(book_copy, "proportions")
    assert "data/proportions.csv, row 2, column 'events'" in message
    assert "events-at-most-n" in message and "events=62 is more than n=61" in message


def test_negative_count(book_copy):
    edit_cell(book_copy, "haematologic_toxicity", 1, "patients", "-3")
    message = rejected(book_copy, "haematologic_toxicity")
    assert "data/haematologic_toxicity.csv, row 3, column 'patients'" in message
    assert "constraint-error" in message and "minimum" in message


def test_zero_denominator(book_copy):
    edit_cell(book_copy, "proportions", 2, "n", "0")
    message = rejected(book_copy, "proportions")
    assert "row 4, column 'n'" in message and "constraint-error" in message


def test_wrong_type(book_copy):
    edit_cell(book_copy, "survival", 0, "value", "five")
    message = rejected(book_copy, "survival")
    assert "data/survival.csv, row 2, column 'value'" in message
    assert "type-error" in message and "'five'" in message


def test_unknown_study_key(book_copy):
    edit_cell(book_copy, "survival", 3, "study", "nobody2099")
    message = rejected(book_copy, "survival")
    assert "data/survival.csv, row 5, column 'study'" in message
    assert "study-in-references" in message and "'nobody2099'" in message


def test_missing_column(book_copy):
    path = book_copy / "data" / "proportions.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="n").to_csv(path, index=False)
    message = rejected(book_copy, "proportions")
    assert "data/proportions.csv" in message and "column 'n'" in message
    assert "missing-label" in message


def test_missing_file(book_copy):
    (book_copy / "data" / "survival.csv").unlink()
    message = rejected(book_copy, "survival")
    assert "data/survival.csv, whole file" in message and "scheme-error" in message


def test_empty_file(book_copy):
    (book_copy / "data" / "survival.csv").write_text("")
    message = rejected(book_copy, "survival")
    assert "data/survival.csv, whole file" in message and "source-error" in message


def test_non_utf8_bytes(book_copy):
    path = book_copy / "data" / "survival.csv"
    path.write_bytes(path.read_bytes().replace("months".encode(), b"m\xf6nths", 1))
    message = rejected(book_copy, "survival")
    assert "data/survival.csv" in message and "encoding-error" in message


def test_duplicate_row(book_copy):
    path = book_copy / "data" / "survival.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    message = rejected(book_copy, "survival")
    assert f"row {len(lines) + 1}" in message and "primary-key" in message


def test_printed_percentage_that_disagrees_with_counts(book_copy):
    edit_cell(book_copy, "proportions", 1, "reported_pct", "61")  # 10/61 is 16.4%
    message = rejected(book_copy, "proportions")
    assert "data/proportions.csv, row 3, column 'reported_pct'" in message
    assert "reported-pct-matches-counts" in message and "16.39%" in message


def test_a_listed_mismatch_is_a_finding_not_an_error(book_copy):
    edit_cell(book_copy, "proportions", 1, "reported_pct", "61")
    key = data.load("proportions", ROOT).pipe(
        lambda t: " / ".join(t.loc[1, ["study", "cohort", "measure", "category"]]))
    audit = book_copy / "data" / f"{data.AUDIT_TABLE}.csv"
    audit.write_text(audit.read_text() + f'proportions,{key},61,"a test finding"\n')
    assert data.load("proportions", book_copy).loc[1, "reported_pct"] == 61


def test_an_audit_entry_must_point_at_a_real_mismatch(book_copy):
    key = "chow2019 / progressed after CD19 CAR-T / received subsequent therapy / all"
    audit = book_copy / "data" / f"{data.AUDIT_TABLE}.csv"
    audit.write_text(audit.read_text() + f'proportions,{key},75,"not a mismatch"\n')
    message = rejected(book_copy, "proportions")
    assert "audit-lists-real-mismatch" in message and key in message


def test_a_confidence_interval_must_bracket_its_value(book_copy):
    edit_cell(book_copy, "survival", 0, "ci_low", "6.0")  # value 5.3
    message = rejected(book_copy, "survival")
    assert "row 2, column 'ci_low'" in message and "ci-brackets-value" in message


def test_validate_all_lists_every_problem_in_one_message(book_copy):
    edit_cell(book_copy, "proportions", 3, "events", "62")  # a row with no printed %
    edit_cell(book_copy, "survival", 3, "study", "nobody2099")
    with pytest.raises(DataError) as caught:
        data.validate_all(book_copy)
    rules = sorted(p.rule for p in caught.value.problems)
    assert rules == ["events-at-most-n", "study-in-evidence-map", "study-in-references"]
    assert "data/proportions.csv" in str(caught.value)
    assert "data/survival.csv" in str(caught.value)


def row_of(table: str, **where) -> int:
    frame = data.load(table, ROOT)
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return int(frame[mask].index[0])


def test_an_inferred_count_must_be_the_only_one_that_fits(book_copy):
    # 29% of 270 fits 77, 78 and 79 patients: no count may be inferred.
    i = row_of("adverse_events", study="schuster2019", cohort="all safety-evaluable",
               event="CRS (Lee 2014 criteria)", grade="any")
    edit_cell(book_copy, "adverse_events", i, "events", "78")
    edit_cell(book_copy, "adverse_events", i, "count_basis", "inferred")
    message = rejected(book_copy, "adverse_events")
    assert f"row {i + 2}, column 'events'" in message
    assert "inferred-count-is-unique" in message and "[77, 78, 79]" in message


def test_a_row_without_counts_keeps_events_empty(book_copy):
    i = row_of("responses", study="dickinson2022", outcome="ORR")
    edit_cell(book_copy, "responses", i, "events", "80")
    message = rejected(book_copy, "responses")
    assert f"row {i + 2}, column 'events'" in message and "count-basis-consistent" in message


def test_a_printed_count_needs_events(book_copy):
    i = row_of("responses", study="chong2018", outcome="CR")
    edit_cell(book_copy, "responses", i, "events", "")
    message = rejected(book_copy, "responses")
    assert f"row {i + 2}, column 'events'" in message and "count-basis-consistent" in message


def test_every_study_is_in_the_evidence_map(book_copy):
    path = book_copy / "data" / "studies.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[frame.study != "imber2020"].to_csv(path, index=False)
    message = rejected(book_copy, "radiotherapy_courses")
    assert "data/radiotherapy_courses.csv, row 2, column 'study'" in message
    assert "study-in-evidence-map" in message


def test_a_column_missing_in_the_middle_is_named_itself(book_copy):
    # Frictionless compares headers by position: it blamed the last column
    # ('note') and called every later one incorrect. The header is row 1.
    path = book_copy / "data" / "survival.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="unit").to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        data.load("survival", book_copy)
    assert [str(p) for p in caught.value.problems] == [
        "data/survival.csv, row 1, column 'unit': rule 'missing-label' broken: "
        "the header has no such column"]


def test_a_column_the_schema_does_not_know_is_named(book_copy):
    path = book_copy / "data" / "survival.csv"
    pd.read_csv(path, dtype=str, keep_default_na=False).assign(extra="x").to_csv(path, index=False)
    message = rejected(book_copy, "survival")
    assert "row 1, column 'extra': rule 'extra-label'" in message


@pytest.mark.parametrize("line", [0, 1, 4])
def test_non_utf8_bytes_name_their_row(book_copy, line):
    path = book_copy / "data" / "survival.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    lines[line] = b"\xff" + lines[line]
    path.write_bytes(b"".join(lines))
    message = rejected(book_copy, "survival")
    assert f"data/survival.csv, row {line + 1}: rule 'encoding-error'" in message


def test_non_utf8_bytes_in_the_audit_table_name_their_row(book_copy):
    # Other tables read the audit table first: the same message must come out.
    audit = book_copy / "data" / f"{data.AUDIT_TABLE}.csv"
    audit.write_bytes(audit.read_bytes().replace(b"table", b"t\xe4ble", 1))
    message = rejected(book_copy, "proportions")
    assert f"data/{data.AUDIT_TABLE}.csv, row 1: rule 'encoding-error'" in message


# --------------------------------------------------------------------------
# The registry: chapters, study keys and the synthesis are declared in the rows.


def only_problem(root: Path, table: str) -> str:
    with pytest.raises(DataError) as caught:
        data.load(table, root)
    assert len(caught.value.problems) == 1, caught.value
    return str(caught.value.problems[0])


# A key that names nothing: (table, row, column, value, rule, what it names).
UNKNOWN_KEYS = [
    ("studies", "imber2020", "chapter", "radiation", "chapter-in-chapters",
     "'radiation' is not a slug in data/chapters.csv"),
    ("decision_aid", 0, "chapter", "chemotherapy", "chapter-in-chapters",
     "'chemotherapy' is not a slug in data/chapters.csv"),
    ("failure_mechanisms", 1, "chapters", "radiotherapy;surgery", "chapter-in-chapters",
     "'surgery' is not a slug in data/chapters.csv"),
    ("decision_aid", 0, "studies", "shumilov2025;nosuch2099", "study-in-evidence-map",
     "'nosuch2099' is not a study in data/studies.csv"),
]


@pytest.mark.parametrize("table, row, column, value, rule, detail", UNKNOWN_KEYS,
                         ids=[f"{t}.{c}" for t, _, c, *_ in UNKNOWN_KEYS])
def test_a_key_that_names_nothing_is_named(book_copy, table, row, column, value, rule, detail):
    i = row_of(table, study=row) if isinstance(row, str) else row
    edit_cell(book_copy, table, i, column, value)
    assert only_problem(book_copy, table) == (
        f"data/{table}.csv, row {i + 2}, column '{column}': rule '{rule}' broken: {detail}")


def test_a_study_key_not_in_the_evidence_map_is_named(book_copy):
    # The key is in references.bib, so only the evidence map misses it.
    path = book_copy / "data" / "studies.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[frame.study != "imber2020"].to_csv(path, index=False)
    with pytest.raises(DataError) as caught:
        data.load("radiotherapy_courses", book_copy)
    assert str(caught.value.problems[0]) == (
        "data/radiotherapy_courses.csv, row 2, column 'study': rule 'study-in-evidence-map' "
        "broken: 'imber2020' is not a study in data/studies.csv")
    assert {p.rule for p in caught.value.problems} == {"study-in-evidence-map"}


@pytest.mark.parametrize("table,where,column,value,rule,message", [
    ("studies", {"study": "caimi2021"}, "superseded_by", "caimi2099", "study-in-evidence-map",
     "'caimi2099' is not a study in data/studies.csv"),
    ("responses", {"study": "kim2025", "outcome": "ORR"}, "synthesis_note", "",
     "left-out-with-a-reason", "in_synthesis is false: say why the row is left out"),
    ("responses", {"study": "topp2025", "outcome": "ORR"}, "in_synthesis", "",
     "in-synthesis-decided", "a counted ORR row must say whether the synthesis shows it: true, "
     "or false with the reason in synthesis_note"),
], ids=["superseded_by names a study", "a row left out says why",
        "a counted response says whether the synthesis shows it"])
def test_synthesis_columns_follow_their_rules(book_copy, table, where, column, value, rule, message):
    i = row_of(table, **where)
    edit_cell(book_copy, table, i, column, value)
    assert only_problem(book_copy, table) == (
        f"data/{table}.csv, row {i + 2}, column '{column}': rule '{rule}' broken: {message}")


def test_a_superseded_study_stays_out_of_the_synthesis(book_copy):
    i = row_of("responses", study="caimi2021", outcome="ORR")
    edit_cell(book_copy, "responses", i, "in_synthesis", "true")
    edit_cell(book_copy, "responses", i, "synthesis_note", "")
    assert only_problem(book_copy, "responses") == (
        f"data/responses.csv, row {i + 2}, column 'in_synthesis': rule 'superseded-left-out' "
        "broken: study 'caimi2021' is superseded by 'caimi2024' (data/studies.csv): "
        "set in_synthesis false")


def test_a_chapter_title_is_its_pages_heading(book_copy):
    i = row_of("chapters", slug="radiotherapy")
    edit_cell(book_copy, "chapters", i, "title", "Radiation")
    assert only_problem(book_copy, "chapters") == (
        f"data/chapters.csv, row {i + 2}, column 'title': rule 'title-is-the-heading' "
        "broken: chapters/radiotherapy.md is titled 'Radiotherapy', not 'Radiation'; "
        "make them the same")


def test_every_chapter_page_has_a_row(book_copy):
    (book_copy / "chapters" / "surgery.md").write_text("# Surgery\n")
    assert only_problem(book_copy, "chapters") == (
        "data/chapters.csv, whole file, column 'slug': rule 'chapter-has-a-row' broken: "
        "chapters/surgery.md has no row: add its slug, title, short label, modality, "
        "order and part")


def test_a_header_that_does_not_match_its_schema_is_named(book_copy):
    path = book_copy / "data" / "chapters.csv"
    path.write_text(path.read_text().replace("short_label", "short", 1))
    with pytest.raises(DataError) as caught:
        data.load("chapters", book_copy)
    assert [str(p) for p in caught.value.problems] == [
        "data/chapters.csv, row 1, column 'short_label': rule 'missing-label' broken: "
        "the header has no such column",
        "data/chapters.csv, row 1, column 'short': rule 'extra-label' broken: "
        "the schema has no such column"]


def test_columns_in_another_order_are_read_by_name(book_copy):
    # The package declares "fieldsMatch": "equal": a spreadsheet may move columns.
    path = book_copy / "data" / "chapters.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame[list(reversed(frame.columns))].to_csv(path, index=False)
    assert list(data.load("chapters", book_copy).columns) == list(frame.columns)


def test_the_chapters_table_matches_the_table_of_contents():
    import yaml
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    listed = [(entry["file"].removeprefix("chapters/"), part["caption"])
              for part in toc["parts"] for entry in part["chapters"]
              if entry["file"].startswith("chapters/")]
    chapters = data.load("chapters", ROOT).sort_values("order")
    assert listed == list(zip(chapters.slug, chapters.part))


def test_the_synthesis_shows_the_same_cohorts_as_before_the_registry():
    # The rows chosen by hand-kept filters until the in_synthesis column
    # (a cohort-name pattern, one superseded study, CAR-T history not stated).
    responses = data.load("responses", ROOT)
    shown = responses[responses.in_synthesis.fillna(False)]
    assert len(shown) == 34
    assert sorted(set(zip(shown.study, shown.cohort))) == sorted(FOREST_COHORTS)


FOREST_COHORTS = [
    ("schuster2019", "prior CAR-T: all histologies"),
    ("hutchings2020", "DLBCL 12–60 mg"), ("hutchings2020", "DLBCL 48–60 mg"),
    ("hutchings2020", "FL 0.76–48 mg"), ("hutchings2020", "FL 12–48 mg"),
    ("hutchings2020", "MCL 0.76–48 mg"),
    ("chong2018", "pembrolizumab after CART19"),
    ("dickinson2022", "glofitamab: prior CAR-T"),
    ("thieblemont2024", "epcoritamab: all LBCL"),
    ("thieblemont2023", "epcoritamab: prior CAR-T"),
    ("topp2025", "odronextamab: after CAR-T failure"),
    ("bartlett2023", "mosunetuzumab: prior CAR-T"),
    ("shumilov2025", "bispecific after CAR-T failure: all"),
    ("shah2020", "LV20.19 day 28: all dose levels"),
    ("gauthier2021", "second CD19 CAR-T infusion: all"),
    ("baird2021", "CD22 CAR-T after CD19 CAR-T failure: first patients"),
    ("tafalen2024", "tafasitamab + lenalidomide after CAR-T (DESCAR-T)"),
    ("gouni2022", "polatuzumab after CAR-T"),
    ("caimi2024", "loncastuximab (LOTIS-2) final analysis"),
]


def test_the_package_is_parsed_once_per_process():
    data.validate_all(ROOT)
    before = data._parsed_package.cache_info().misses
    data.validate_all(ROOT)
    assert data._parsed_package.cache_info().misses == before
