"""Every data table, corrupted in every way that applies to it, stops the build.

For each table of ``data/datapackage.json`` and each kind of corruption that
applies (a table without counts cannot have events > n), a copy of the book
is corrupted and built. The build must fail before rendering anything (no
``_build/`` at all) with a message naming the file, the row and the rule.

The suite calls the build's entry point, ``lbclbook.toolchain.build.main``, in-process,
which keeps a mutation to a fraction of a second; one mutation of each kind
also goes through the real command, ``python -m lbclbook.toolchain.build``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from lbclbook.toolchain.build import main as build_main

from conftest import ROOT, run_build

PACKAGE = json.loads((ROOT / "data" / "datapackage.json").read_text("utf-8"))
UNKNOWN_STUDY = "nobody2099"


@dataclass(frozen=True)
class Table:
    """One resource of the data package, and its rows as text."""

    resource: dict

    @property
    def name(self) -> str:
        return self.resource["name"]

    @property
    def file(self) -> str:
        return f"data/{self.resource['path']}"

    @property
    def fields(self) -> list[dict]:
        return self.resource["schema"]["fields"]

    def rows(self, root: Path = ROOT) -> pd.DataFrame:
        return pd.read_csv(root / self.file, dtype=str, keep_default_na=False)

    def write(self, root: Path, rows: pd.DataFrame) -> None:
        rows.to_csv(root / self.file, index=False)

    def has(self, *columns: str) -> bool:
        names = {f["name"] for f in self.fields}
        return all(c in names for c in columns)

    def target(self) -> int:
        """The row index a mutation corrupts: the middle one, not the first."""
        return len(self.rows()) // 2

    def numeric(self, minimum: bool = False) -> list[str]:
        """Numeric columns (those with a lower bound if ``minimum``), counts first."""
        fields = [f for f in self.fields if f["type"] in ("integer", "number")
                  and (not minimum or f.get("constraints", {}).get("minimum", -1) >= 0)]
        return [f["name"] for f in sorted(fields, key=lambda f: f["type"] != "integer")]


TABLES = [Table(resource) for resource in PACKAGE["resources"]]


@dataclass(frozen=True)
class Expected:
    """Where the build's message must point, and which rule it must name."""

    file: str
    row: int | None  # None: the whole file
    rule: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "whole file"
        column = f", column '{self.column}'" if self.column else ""
        return f"{self.file}, {where}{column}: rule '{self.rule}'"


def row_number(index: int) -> int:
    return index + 2  # the header is row 1


# --------------------------------------------------------------------------
# The corruptions. Each applies to some tables, corrupts a copy of the book
# and says what the build must report.


@dataclass(frozen=True)
class Mutation:
    corrupt: Callable[[Path, Table], Expected]
    applies: Callable[[Table], bool]


MUTATIONS: dict[str, Mutation] = {}


def mutation(applies: Callable[[Table], bool] = lambda table: True):
    def register(corrupt):
        MUTATIONS[corrupt.__name__.replace("_", " ")] = Mutation(corrupt, applies)
        return corrupt
    return register


def has_rows(table: Table) -> bool:
    return len(table.rows()) > 0


def set_cell(root: Path, table: Table, column: str, value: str) -> Expected:
    rows, index = table.rows(root), table.target()
    rows.loc[index, column] = value
    table.write(root, rows)
    return Expected(table.file, row_number(index), "", column)


@mutation(lambda t: has_rows(t) and bool(t.numeric()))
def wrong_type(root, table):
    column = table.numeric()[0]
    expected = set_cell(root, table, column, "not-a-number")
    return Expected(table.file, expected.row, "type-error", column)


@mutation()
def missing_column(root, table):
    column = table.fields[len(table.fields) // 2]["name"]
    table.write(root, table.rows(root).drop(columns=column))
    return Expected(table.file, 1, "missing-label", column)


@mutation(lambda t: t.has("events", "n") and (t.rows()["n"] != "").any())
def events_above_n(root, table):
    rows = table.rows(root)
    with_n = [i for i in range(len(rows)) if rows.at[i, "n"]]
    index = min(with_n, key=lambda i: abs(i - table.target()))
    rows.loc[index, "events"] = str(int(rows.at[index, "n"]) + 1)
    table.write(root, rows)
    return Expected(table.file, row_number(index), "events-at-most-n", "events")


@mutation(lambda t: has_rows(t) and bool(t.numeric(minimum=True)))
def negative_count(root, table):
    column = table.numeric(minimum=True)[0]
    expected = set_cell(root, table, column, "-1")
    return Expected(table.file, expected.row, "constraint-error", column)


@mutation(lambda t: has_rows(t) and t.has("study"))
def unknown_study_key(root, table):
    expected = set_cell(root, table, "study", UNKNOWN_STUDY)
    return Expected(table.file, expected.row, "study-in-references", "study")


@mutation(lambda t: has_rows(t) and bool(t.resource["schema"].get("primaryKey")))
def duplicate_row(root, table):
    rows = table.rows(root)
    table.write(root, pd.concat([rows, rows.iloc[[table.target()]]], ignore_index=True))
    return Expected(table.file, row_number(len(rows)), "primary-key")


@mutation()
def empty_file(root, table):
    (root / table.file).write_bytes(b"")
    return Expected(table.file, None, "source-error")


@mutation()
def non_utf8_bytes(root, table):
    path = root / table.file
    if not has_rows(table):
        path.write_bytes(b"\xff" + path.read_bytes())
        return Expected(table.file, 1, "encoding-error")
    # A placeholder marks the row (rows may span lines), then becomes the byte.
    column = table.fields[0]["name"]
    expected = set_cell(root, table, column, "BAD-BYTE" + table.rows().at[table.target(), column])
    path.write_bytes(path.read_bytes().replace(b"BAD-BYTE", b"\xff"))
    return Expected(table.file, expected.row, "encoding-error")


@mutation()
def missing_file(root, table):
    (root / table.file).unlink()
    return Expected(table.file, None, "scheme-error")


CASES = [(table, kind) for table in TABLES for kind, m in MUTATIONS.items() if m.applies(table)]
FIRST_OF_EACH_KIND = [next(case for case in CASES if case[1] == kind) for kind in MUTATIONS]


def case_id(case) -> str:
    table, kind = case
    return f"{table.name}: {kind}"


# --------------------------------------------------------------------------
# The suite


@pytest.fixture(scope="module")
def tally(tell):
    counts = {"tried": 0, "caught": 0, "real command": 0}
    yield counts
    not_applicable = len(TABLES) * len(MUTATIONS) - len(CASES)
    tell(f"mutation suite: {counts['caught']} of {counts['tried']} mutations caught "
         f"({len(MUTATIONS)} kinds x {len(TABLES)} tables, {not_applicable} not applicable); "
         f"{counts['real command']} (one of each kind) again through `python -m lbclbook.toolchain.build`")


def assert_rejected(code: int, message: str, expected: Expected, root: Path) -> None:
    assert code == 2, f"the build did not stop on bad data (exit {code})"
    assert str(expected) in message, f"expected '{expected}' in:\n{message}"
    assert "nothing was rendered" in message
    assert not (root / "_build").exists(), "something was built or published"


# `make check` tries one mutation of each kind; `make test` every one.
EVERY_CASE = [case if case in FIRST_OF_EACH_KIND else pytest.param(case, marks=pytest.mark.slow)
              for case in CASES]


@pytest.mark.parametrize("case", EVERY_CASE, ids=map(case_id, CASES))
def test_the_build_rejects_the_mutation(case, book_copy, monkeypatch, capsys, tally):
    table, kind = case
    tally["tried"] += 1
    expected = MUTATIONS[kind].corrupt(book_copy, table)
    monkeypatch.chdir(book_copy)
    code = build_main([])
    assert_rejected(code, capsys.readouterr().err, expected, book_copy)
    tally["caught"] += 1


@pytest.mark.slow
@pytest.mark.parametrize("case", FIRST_OF_EACH_KIND, ids=map(case_id, FIRST_OF_EACH_KIND))
def test_the_real_command_rejects_the_mutation(case, book_copy, tally):
    table, kind = case
    expected = MUTATIONS[kind].corrupt(book_copy, table)
    result = run_build(book_copy)
    assert_rejected(result.returncode, result.stderr, expected, book_copy)
    tally["real command"] += 1


def test_every_table_is_mutated_in_every_way_that_applies():
    # A table the suite could not corrupt at all would be a hole, not a pass.
    assert {table.name for table, _ in CASES} == {table.name for table in TABLES}
    assert {kind for _, kind in CASES} == set(MUTATIONS)
    assert len(MUTATIONS) == 9
