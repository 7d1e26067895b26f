"""The data rows an interpretive statement rests on.

A decision-aid row (and anything else that draws a conclusion) names its
basis as references to data rows, separated by ``;``::

    responses|shumilov2025|bispecific after CAR-T failure: all|ORR
    adverse_events|topp2025|odronextamab: after CAR-T failure|infections|3 or higher

that is ``table|study|cohort|what[|grade]``, where ``what`` is the table's
outcome column (``outcome``, ``endpoint``, ``event``, ``measure`` or
``quantity``). :func:`resolve` turns each reference into the one row it names
and :func:`summary` into the words a reader sees ("ORR 7/52, 13%"), so the
numbers beside a conclusion always come from the same rows as the chapters'.
A reference that names no row, or several, stops the build with a
:class:`~lbclbook.data.DataError` naming file, row, column and rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .data import DataError, Problem, load
from .stats import proportion

# The column that says what a row measures, per table a basis may cite.
WHAT = {"responses": "outcome", "survival": "endpoint", "adverse_events": "event",
        "proportions": "measure", "reported_values": "quantity"}


@dataclass(frozen=True)
class Reference:
    table: str
    study: str
    cohort: str
    what: str
    grade: str | None = None


def parse(text: str) -> list[Reference]:
    """The references in a ``basis`` cell (ValueError if one is malformed)."""
    refs = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        fields = part.split("|")
        if len(fields) not in (4, 5) or fields[0] not in WHAT:
            raise ValueError(f"{part!r} is not table|study|cohort|what[|grade] "
                             f"with table one of {', '.join(WHAT)}")
        refs.append(Reference(*fields))
    return refs


def resolve(ref: Reference, tables: dict[str, pd.DataFrame] | None = None) -> pd.Series:
    """The single data row ``ref`` names (LookupError otherwise).

    ``tables``, if given, keeps the tables loaded (and validated) so far, so
    that checking many references validates each table once.
    """
    tables = {} if tables is None else tables
    if ref.table not in tables:
        tables[ref.table] = load(ref.table)
    table = tables[ref.table]
    mask = ((table.study == ref.study) & (table.cohort == ref.cohort)
            & (table[WHAT[ref.table]] == ref.what))
    if ref.grade is not None:
        mask &= table.grade == ref.grade
    if mask.sum() != 1:
        raise LookupError(f"{int(mask.sum())} rows of data/{ref.table}.csv match")
    return table[mask].iloc[0]


def summary(ref: Reference) -> str:
    """What the row says, in a reader's words, with its count where known."""
    row = resolve(ref)
    if ref.table == "survival":
        return _survival(row)
    if ref.table == "reported_values":
        unit = "%" if row.unit == "percent" else f" {row.unit}"
        return f"{row.quantity}: {row.value:g}{unit}"
    if ref.table == "adverse_events":
        return f"{_grade(row.grade)}{row.event} {_count(row)}"
    if ref.table == "proportions":
        return f"{row.measure} {_count(row)}"
    return f"{row.outcome} {_count(row)}"


def check(table: pd.DataFrame, name: str, column: str = "basis") -> None:
    """Every reference in ``table[column]`` names exactly one row, or DataError."""
    problems = []
    mapped = set(load("studies").study)
    tables: dict[str, pd.DataFrame] = {}
    for index, cell in table[column].items():
        try:
            for ref in parse(cell):
                resolve(ref, tables)
        except (ValueError, LookupError) as error:
            problems.append(Problem(f"data/{name}.csv", int(index) + 2, column,
                                    "basis-names-one-row", str(error)))
    for index, cell in table.get("studies", pd.Series(dtype=str)).items():
        for key in set(cell.split(";")) - mapped:
            problems.append(Problem(f"data/{name}.csv", int(index) + 2, "studies",
                                    "study-in-evidence-map",
                                    f"study {key!r} is not listed in data/studies.csv"))
    if problems:
        raise DataError(problems)


def _count(row: pd.Series) -> str:
    if pd.notna(row.get("events")) and pd.notna(row.get("n")):
        share = proportion(row.events, row.n)
        return f"{share.events}/{share.n} ({share.pct:.0f}%)"
    return f"{row.reported_pct:g}% (count not reported)"


def _grade(grade: str) -> str:
    return "" if grade in ("any", "all") else f"grade {grade} "


def _survival(row: pd.Series) -> str:
    if row.statistic == "median":
        return f"median {row.endpoint} {row.value:g} {row.unit}"
    months = row.statistic.removeprefix("rate_").removesuffix("_months")
    return f"{months}-month {row.endpoint} {row.value:g}%"


def describe(cell: str, labels: "pd.Series") -> str:
    """A ``basis`` cell for a reader: "Label, cohort: figure, figure; ...",
    one clause per study and cohort, in the order first cited."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for ref in parse(cell):
        cohort = ref.cohort.split(": ", 1)[-1]  # "bispecific after CAR-T failure: all" -> "all"
        grouped.setdefault((labels[ref.study], cohort), []).append(summary(ref))
    return "; ".join(f"{label}, {cohort}: {', '.join(figures)}"
                     for (label, cohort), figures in grouped.items())
