"""Data files as authors really save them, from a spreadsheet.

Excel's "CSV UTF-8" (a byte-order mark), CRLF line endings and its quoting
are read as the clean file; a file separated by semicolons or tabs, and a
table with only its header, stop validation with words that say what to do.
"""

from __future__ import annotations

import codecs
import csv
import functools
import json
import subprocess
import sys
import warnings
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from lbclbook import data
from lbclbook.data import DataError

from conftest import ROOT

TABLES = data.table_names(ROOT)


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def save_as_spreadsheet(path: Path, encoding: str = "utf-8", **dialect) -> None:
    """Rewrite ``path`` as Excel writes CSV: csv's "excel" dialect (CRLF,
    quotes only where needed), with ``dialect`` overrides such as a delimiter."""
    table = rows(path)
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, dialect="excel", **dialect).writerows(table)


def problems(root: Path, table: str) -> list[str]:
    with pytest.raises(DataError) as caught:
        data.load(table, root)
    return [str(problem) for problem in caught.value.problems]


@functools.cache
def clean(name: str) -> pd.DataFrame:
    return data.load(name, ROOT)


def assert_same_tables(root: Path) -> None:
    """Every table of ``root`` validates and loads as the book's own."""
    for name in TABLES:
        pd.testing.assert_frame_equal(data.load(name, root), clean(name))


# --------------------------------------------------------------------------
# Read as the clean file


def test_a_byte_order_mark_is_skipped(book_copy):
    # Excel's "CSV UTF-8" starts every file with EF BB BF; it used to read as
    # part of the first column's name ('\ufeffstudy': extra-label).
    for name in TABLES:
        path = data.table_path(name, book_copy)
        path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())
    assert_same_tables(book_copy)


def test_a_spreadsheet_round_trip_reads_as_the_clean_file(book_copy):
    # Excel's dialect: CRLF line ends, quotes only where a cell needs them,
    # saved as "CSV UTF-8" (with a byte-order mark).
    for name in TABLES:
        save_as_spreadsheet(data.table_path(name, book_copy), encoding="utf-8-sig")
    studies = data.table_path("studies", book_copy).read_bytes()
    assert studies.startswith(codecs.BOM_UTF8 + b"study,") and b"\r\n" in studies
    assert_same_tables(book_copy)


def test_crlf_line_endings_are_read(book_copy):
    for name in TABLES:
        path = data.table_path(name, book_copy)
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    assert_same_tables(book_copy)


# --------------------------------------------------------------------------
# Named, with what to do

SAVE_COMMA_SEPARATED = (
    "save it comma-separated with a point as the decimal mark: in Excel, untick "
    "File > Options > Advanced > 'Use system separators', set the decimal "
    "separator to '.', then Save As 'CSV UTF-8 (Comma delimited)' (see CONTRIBUTING.md)")


def test_a_semicolon_separated_file_is_named(book_copy):
    save_as_spreadsheet(data.table_path("glossary", book_copy), delimiter=";")
    assert problems(book_copy, "glossary") == [
        "data/glossary.csv, whole file: rule 'comma-separated' broken: the file is "
        "semicolon-separated, as a spreadsheet in a comma-decimal locale (Italian, "
        f"German, French, ...) saves it; {SAVE_COMMA_SEPARATED}"]


def test_an_italian_excel_file_is_named_as_semicolon_separated(book_copy):
    # Excel in Italian: "CSV UTF-8" with semicolons and comma decimals. The
    # separator is the one thing to fix, not a type error per decimal.
    path = data.table_path("survival", book_copy)
    table = [[cell.replace(".", ",") if cell.replace(".", "").isdigit() else cell
              for cell in row] for row in rows(path)]
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file, dialect="excel", delimiter=";").writerows(table)
    assert ";5,3;" in path.read_text("utf-8-sig")  # value 5.3 of row 2
    assert problems(book_copy, "survival") == [
        "data/survival.csv, whole file: rule 'comma-separated' broken: the file is "
        "semicolon-separated, as a spreadsheet in a comma-decimal locale (Italian, "
        f"German, French, ...) saves it; {SAVE_COMMA_SEPARATED}"]


def test_a_tab_separated_file_is_named(book_copy):
    save_as_spreadsheet(data.table_path("glossary", book_copy), delimiter="\t")
    assert problems(book_copy, "glossary") == [
        "data/glossary.csv, whole file: rule 'comma-separated' broken: the file is "
        f"tab-separated, as a spreadsheet saves 'Text (Tab delimited)'; {SAVE_COMMA_SEPARATED}"]


def test_a_comma_decimal_in_a_comma_separated_file_is_a_type_error(book_copy):
    path = data.table_path("survival", book_copy)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "value"] = "5,3"
    frame.to_csv(path, index=False)
    [problem] = problems(book_copy, "survival")
    assert problem.startswith("data/survival.csv, row 2, column 'value': rule 'type-error'")
    assert problem.endswith("(cell '5,3')")


def header_only(root: Path, name: str) -> None:
    path = data.table_path(name, root)
    path.write_text(path.read_text("utf-8").splitlines()[0] + "\n", "utf-8")


EMPTY = ("data/decision_aid.csv, whole file: rule 'has-data-rows' broken: no data rows "
         "(only the header); add the rows a page reads, or mark the table "
         "\"mayBeEmpty\": true in data/datapackage.json")


def test_a_table_with_only_its_header_is_named(book_copy):
    header_only(book_copy, "decision_aid")
    assert problems(book_copy, "decision_aid") == [EMPTY]
    with pytest.raises(DataError) as caught:
        data.validate_all(book_copy)
    assert [str(p) for p in caught.value.problems] == [EMPTY]


def test_a_table_may_be_empty_if_the_data_package_says_so(book_copy):
    package = book_copy / data.DATAPACKAGE
    descriptor = json.loads(package.read_text("utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == "decision_aid")
    resource[data.MAY_BE_EMPTY] = True
    package.write_text(json.dumps(descriptor, indent=2), "utf-8")
    header_only(book_copy, "decision_aid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Frictionless takes the custom property silently
        assert not list(frictionless.Package.metadata_validate(descriptor))
        table = data.load("decision_aid", book_copy)
        data.validate_all(book_copy)
    assert table.empty
    assert list(table.columns) == [f["name"] for f in resource["schema"]["fields"]]


# --------------------------------------------------------------------------
# The check an author runs before a build: python -m lbclbook.data


def test_the_command_checks_every_table(in_book, capsys):
    assert data.main([]) == 0
    assert capsys.readouterr().out == f"data: {len(TABLES)} tables valid\n"


def test_the_command_checks_a_named_file(in_book, capsys):
    save_as_spreadsheet(data.table_path("glossary", in_book), delimiter=";")
    assert data.main(["data/studies.csv"]) == 0
    assert capsys.readouterr().out == "data: 1 table valid\n"
    assert data.main(["data/glossary.csv"]) == 1
    err = capsys.readouterr().err
    assert "data/glossary.csv, whole file: rule 'comma-separated'" in err
    assert data.main(["data/nothing.csv"]) == 1
    assert "data: no table or file 'data/nothing.csv' in data/datapackage.json" in (
        capsys.readouterr().err)


def test_the_command_runs_as_a_module(book_copy):
    header_only(book_copy, "decision_aid")
    run = subprocess.run([sys.executable, "-m", "lbclbook.data"], cwd=book_copy,
                         capture_output=True, text=True)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr == ("1 problem(s) in the book's data; nothing was rendered:\n"
                          f"  - {EMPTY}\n")
