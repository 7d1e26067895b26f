"""Validated loading of the book's data package (``data/datapackage.json``).

Every table is checked before a chapter sees it:

1. against its Frictionless Table Schema: file present and UTF-8, header,
   types, required cells, constraints (no negative counts, ``n >= 1``),
   primary key (no duplicate rows);
2. against the references the data package declares: Frictionless
   ``foreignKeys`` (every ``study`` is a study of ``studies.csv``, every chapter
   slug a row of ``chapters.csv``, ``superseded_by`` a study) and the custom
   ``listForeignKeys`` for cells holding several keys separated by ``;``;
3. against the domain rules of the book (``RULES`` below): ``events <= n``,
   a printed percentage agrees with its counts or is listed in the audit,
   every ``study`` is a key of ``references.bib``, a CI brackets its estimate,
   a counted ORR or CR response says whether the synthesis shows it (and why
   not), a chapter's title is its page's heading, the last check of the
   sources is no older than the newest source, every number token of the
   question bank names one row (:mod:`lbclbook.questions`).

Any failure raises :class:`DataError`, one message naming file, row, column
and rule for every problem, so the build stops instead of rendering a wrong
number. Rows are numbered as Frictionless and spreadsheets do: the header is
row 1, the first data row is row 2.

Files are read as a spreadsheet saves them: a UTF-8 byte-order mark (Excel's
"CSV UTF-8") is skipped and CRLF line endings are read as line ends. A file
separated by semicolons or tabs (Excel in a comma-decimal locale) is named as
such, and a table with only its header is an error: a page reads every table.
A table that may legitimately be empty says so on its resource in the data
package with the custom property ``"mayBeEmpty": true``.

``python -m lbclbook.data [TABLE or data/FILE.csv ...]`` checks every table
(or those named) without building the book; it exits 1 on bad data.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import frictionless
import pandas as pd
import pybtex.database

from .paths import book_root

DATAPACKAGE = Path("data") / "datapackage.json"
BIBLIOGRAPHY = Path("references.bib")
AUDIT_TABLE = "audit_percentages"
MAX_LISTED = 25  # problems shown in one message; the count says if more exist
MAY_BE_EMPTY = "mayBeEmpty"  # custom resource property: no data rows is fine
LIST_FOREIGN_KEYS = "listForeignKeys"  # custom schema property: keys separated in one cell

_loaded: list[str] = []  # tables loaded in this process, in order (for download links)


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place in the data."""

    file: str
    row: int | None
    column: str | None
    rule: str
    detail: str

    def __str__(self) -> str:
        where = [self.file, f"row {self.row}" if self.row else "whole file"]
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: rule '{self.rule}' broken: {self.detail}"


class DataError(ValueError):
    """Bad data: the message lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_LISTED])
        more = len(problems) - MAX_LISTED
        tail = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the book's data; nothing was rendered:\n"
            f"{shown}{tail}"
        )


# --------------------------------------------------------------------------
# Public API


def load(name: str, root: Path | str | None = None) -> pd.DataFrame:
    """Table ``name`` from the data package, validated and typed.

    Chapters call this with a literal name (``load("survival")``): the build
    scans for those literals to know which chapters a data edit touches.
    """
    root = book_root(root)
    resource = _resource(root, name)
    problems, table = _check(root, resource)
    if problems:
        raise DataError(problems)
    if name not in _loaded:
        _loaded.append(name)
    return table


def one(table: pd.DataFrame, **where: object) -> pd.Series:
    """The single row of ``table`` where every ``column=value`` holds."""
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    if mask.sum() != 1:
        raise LookupError(f"{int(mask.sum())} rows match {where}, expected one")
    return table[mask].iloc[0]


def loaded_tables() -> list[str]:
    """Names of the tables loaded so far by this process (a chapter's kernel)."""
    return list(_loaded)


def table_title(name: str, root: Path | str | None = None) -> str:
    return _resource(book_root(root), name).title or name


def validate_all(root: Path | str | None = None, names: list[str] | None = None) -> None:
    """Check every table (or those ``names``); raise one :class:`DataError`
    listing all problems."""
    root = book_root(root)
    problems = []
    for resource in _package(root).resources:
        if names is None or resource.name in names:
            problems += _check(root, resource)[0]
    if problems:
        raise DataError(problems)


def table_names(root: Path | str | None = None) -> list[str]:
    return [r.name for r in _package(book_root(root)).resources]


def table_path(name: str, root: Path | str | None = None) -> Path:
    """The CSV file behind table ``name`` (for download links and audits)."""
    root = book_root(root)
    return root / DATAPACKAGE.parent / _resource(root, name).path


def references(root: Path | str | None = None) -> pybtex.database.BibliographyData:
    """The book's bibliography, parsed by pybtex."""
    path = book_root(root) / BIBLIOGRAPHY
    return _parse_bib(path, path.stat().st_mtime_ns)


# --------------------------------------------------------------------------
# Package and schema


def _package(root: Path) -> frictionless.Package:
    path = root / DATAPACKAGE
    try:
        return _parsed_package(path, path.stat().st_mtime_ns)[0]
    except FileNotFoundError:
        raise DataError([Problem(str(DATAPACKAGE), None, None, "valid-data-package",
                                 f"no {DATAPACKAGE}")]) from None


def _declared_references(root: Path, name: str) -> tuple[list[dict], list[dict]]:
    """Table ``name``'s ``foreignKeys`` and ``listForeignKeys``, as declared."""
    path = root / DATAPACKAGE
    return _parsed_package(path, path.stat().st_mtime_ns)[1].get(name, ([], []))


@lru_cache(maxsize=8)
def _parsed_package(path: Path, mtime_ns: int):
    """The data package, parsed once per process (and again when the file changes).

    The foreign keys are declared in the package as Frictionless defines them,
    and checked here, after the schema and with the book's messages: a
    Frictionless foreign-key check would stop at the first broken table and
    read the referenced table again for every table that points at it.
    """
    try:
        descriptor = json.loads(path.read_text("utf-8"))
        references = {}
        for resource in descriptor.get("resources", []):
            schema = resource.get("schema", {})
            references[resource.get("name")] = (schema.pop("foreignKeys", []),
                                                schema.pop(LIST_FOREIGN_KEYS, []))
        package = frictionless.Package(descriptor, basepath=str(path.parent))
    except (ValueError, frictionless.FrictionlessException) as exc:
        raise DataError(
            [Problem(str(DATAPACKAGE), None, None, "valid-data-package", str(exc))]
        ) from None
    return package, references


def _resource(root: Path, name: str) -> frictionless.Resource:
    package = _package(root)
    if not package.has_resource(name):
        known = ", ".join(r.name for r in package.resources)
        raise KeyError(f"no table {name!r} in {DATAPACKAGE}; known tables: {known}")
    return package.get_resource(name)


def _relpath(resource: frictionless.Resource) -> str:
    return (DATAPACKAGE.parent / resource.path).as_posix()


def _schema_problems(resource: frictionless.Resource) -> list[Problem]:
    report = resource.validate(limit_errors=MAX_LISTED)
    return [
        Problem(
            _relpath(resource),
            getattr(error, "row_number", None),
            getattr(error, "field_name", None),
            error.type,
            _describe(error),
        )
        for task in report.tasks
        for error in task.errors
    ]


def _describe(error: frictionless.errors.Error) -> str:
    cell = getattr(error, "cell", None)
    detail = f"{error.title}: {error.note}" if error.note else error.title
    return f"{detail} (cell {cell!r})" if cell not in (None, "") else detail


def _file_problems(root: Path, resource: frictionless.Resource) -> list[Problem]:
    """Bytes that are not UTF-8, the separator, and header columns, checked by name.

    Frictionless names neither well: an undecodable byte is a "whole file"
    problem, and it compares the header with the schema by position, so one
    column missing in the middle is reported as the last column missing,
    every later one as "incorrect", and a cascade of type errors.
    The package declares ``"fieldsMatch": "equal"`` (the header holds the
    schema's names, in any order); this check says which name is missing or
    extra, on row 1, before Frictionless reads a row.
    """
    path = root / DATAPACKAGE.parent / resource.path
    if not path.is_file():
        return []  # Frictionless reports the missing file
    # Excel's "CSV UTF-8" starts with a byte-order mark; Frictionless and
    # pandas skip it, and so must the header check (else '\ufeffstudy').
    raw = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row = _row_at(raw[:error.start].decode("utf-8"))
        return [Problem(_relpath(resource), row, None, "encoding-error",
                        f"bytes {raw[error.start:error.end]!r} are not UTF-8")]
    header = next(csv.reader(io.StringIO(text)), None)
    if header is None:
        return []  # an empty file: Frictionless reports it
    expected = [field.name for field in resource.schema.fields]
    if len(header) == 1 and len(expected) > 1:
        for separator, (name, saved_by) in SEPARATORS.items():
            if separator in header[0]:
                return [Problem(_relpath(resource), None, None, "comma-separated",
                                f"the file is {name}-separated, {saved_by}; "
                                f"{SAVE_COMMA_SEPARATED}")]
    return [Problem(_relpath(resource), 1, name, "missing-label",
                    "the header has no such column")
            for name in expected if name not in header] + [
            Problem(_relpath(resource), 1, name, "extra-label",
                    "the schema has no such column")
            for name in header if name not in expected]


# A header read as one column that holds one of these: the file is separated
# by it, as a spreadsheet saves "CSV" where the comma is the decimal mark.
# Frictionless would sniff and accept it, pandas would not: name it instead.
SEPARATORS = {
    ";": ("semicolon", "as a spreadsheet in a comma-decimal locale "
                       "(Italian, German, French, ...) saves it"),
    "\t": ("tab", "as a spreadsheet saves 'Text (Tab delimited)'"),
}
SAVE_COMMA_SEPARATED = (
    "save it comma-separated with a point as the decimal mark: in Excel, untick "
    "File > Options > Advanced > 'Use system separators', set the decimal "
    "separator to '.', then Save As 'CSV UTF-8 (Comma delimited)' (see CONTRIBUTING.md)")


def _row_at(prefix: str) -> int:
    """The CSV row (header = 1) in which the text after ``prefix`` starts.

    A stand-in character for that text is parsed with the prefix, so a row
    split over lines by a quoted newline still counts once.
    """
    return len(list(csv.reader(io.StringIO(prefix + "?"))))


def _check(root: Path, resource: frictionless.Resource):
    """Schema first; domain rules only on a table whose types are sound."""
    problems: list[Problem]
    problems, raw = _schema_checked(root, resource.name)
    if problems:
        return problems, None
    # A header-only table validates, then a page fails on a warning about
    # nothing: say it here, unless the data package allows it.
    if raw.empty and not resource.custom.get(MAY_BE_EMPTY):
        return [Problem(_relpath(resource), None, None, "has-data-rows",
                        "no data rows (only the header); add the rows a page reads, "
                        f'or mark the table "{MAY_BE_EMPTY}": true in {DATAPACKAGE}')], None
    table = _typed(raw, resource.schema)
    context = _Context(root, resource, raw, table)
    for rule in RULES:
        problems += rule(context)
    return problems, table


def _schema_checked(root: Path, name: str) -> tuple[list[Problem], pd.DataFrame | None]:
    """Table ``name`` checked against its schema, and its rows as text.

    Checked once per state of the file: a cross-table rule reads the table it
    points at from here, instead of validating it again for every table.
    """
    path = root / DATAPACKAGE.parent / _resource(root, name).path
    try:
        stat = path.stat()
        state = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        state = None
    package = root / DATAPACKAGE
    return _schema_checked_at(root, name, package.stat().st_mtime_ns, state)


@lru_cache(maxsize=256)
def _schema_checked_at(root: Path, name: str, package_mtime: int, state):
    resource = _resource(root, name)
    problems = _file_problems(root, resource) or _schema_problems(resource)
    if problems:
        return problems, None
    raw = pd.read_csv(
        root / DATAPACKAGE.parent / resource.path,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",  # a byte-order mark is not part of the first name
    )
    # Columns are matched by name ("fieldsMatch": "equal"): give them in the schema's order.
    return [], raw[[field.name for field in resource.schema.fields]]


_PANDAS_TYPES = {"integer": "Int64", "number": "float64", "boolean": "boolean"}


def _typed(raw: pd.DataFrame, schema: frictionless.Schema) -> pd.DataFrame:
    table = raw.copy()
    for field in schema.fields:
        target = _PANDAS_TYPES.get(field.type)
        column = raw[field.name]
        if target == "boolean":
            table[field.name] = column.str.lower().map({"true": True, "false": False})
        elif target:
            table[field.name] = pd.to_numeric(column.replace("", None)).astype(target)
    return table


# --------------------------------------------------------------------------
# Domain rules. Each takes a _Context and returns a list of Problems.


@dataclass
class _Context:
    root: Path
    resource: frictionless.Resource
    raw: pd.DataFrame
    table: pd.DataFrame

    @property
    def file(self) -> str:
        return _relpath(self.resource)

    def has(self, *columns: str) -> bool:
        return all(c in self.table.columns for c in columns)

    def row_number(self, index: int) -> int:
        return index + 2  # the header is row 1

    def row_key(self, index: int) -> str:
        key = self.resource.schema.primary_key or list(self.table.columns)
        return " / ".join(str(self.raw.at[index, k]) for k in key)

    def problem(self, index: int, column: str, rule: str, detail: str) -> Problem:
        return Problem(self.file, self.row_number(index), column, rule, detail)


def events_at_most_n(ctx: _Context) -> list[Problem]:
    if not ctx.has("events", "n"):
        return []
    bad = ctx.table[(ctx.table["events"] > ctx.table["n"]).fillna(False)]
    return [
        ctx.problem(i, "events", "events-at-most-n",
                    f"events={row.events} is more than n={row.n}")
        for i, row in bad.iterrows()
    ]


def reported_pct_matches_counts(ctx: _Context) -> list[Problem]:
    """A printed percentage must round from its counts, or be a listed finding."""
    if not ctx.has("events", "n", "reported_pct"):
        return []
    listed = _audited_rows(ctx.root).get(ctx.resource.name, set())
    problems, mismatched = [], set()
    for i, row in ctx.table.iterrows():
        text = ctx.raw.at[i, "reported_pct"]
        if not text or pd.isna(row.events) or pd.isna(row.n):
            continue
        exact = 100 * row.events / row.n
        if abs(row.reported_pct - exact) <= _rounding_tolerance(text):
            continue
        key = ctx.row_key(i)
        mismatched.add(key)
        if key not in listed:
            problems.append(ctx.problem(
                i, "reported_pct", "reported-pct-matches-counts",
                f"reported {text}% but {row.events}/{row.n} = {exact:.2f}%; "
                f"fix the row or list it in data/{AUDIT_TABLE}.csv as a finding "
                f"(row key '{key}')"))
    for key in sorted(listed - mismatched):
        problems.append(Problem(
            f"data/{AUDIT_TABLE}.csv", None, "row_key", "audit-lists-real-mismatch",
            f"'{key}' in table {ctx.resource.name} is listed as a mismatch "
            f"but is missing or agrees with its counts"))
    return problems


def count_basis_consistent(ctx: _Context) -> list[Problem]:
    """Counts are printed, inferred from a printed % (uniquely), or absent.

    A source that prints only "27% of 30" still fixes the count when exactly
    one integer rounds to that percentage; such counts are marked 'inferred'
    so that exact CIs can be given and readers can see the inference.
    """
    if not ctx.has("count_basis", "events", "n", "reported_pct"):
        return []
    problems = []
    for i, row in ctx.table.iterrows():
        has_count = pd.notna(row.events) and pd.notna(row.n)
        if row.count_basis in ("printed", "inferred") and not has_count:
            problems.append(ctx.problem(i, "events", "count-basis-consistent",
                                        f"count_basis '{row.count_basis}' needs events and n"))
        elif row.count_basis == "none" and pd.notna(row.events):
            problems.append(ctx.problem(i, "events", "count-basis-consistent",
                                        "count_basis 'none' but events are given"))
        elif row.count_basis == "none" and pd.isna(row.reported_pct):
            problems.append(ctx.problem(i, "reported_pct", "count-basis-consistent",
                                        "a row without counts needs reported_pct"))
        elif row.count_basis == "inferred":
            problems += _inferred_count_problems(ctx, i, row)
    return problems


def _inferred_count_problems(ctx: _Context, i: int, row) -> list[Problem]:
    text = ctx.raw.at[i, "reported_pct"]
    if not text:
        return [ctx.problem(i, "reported_pct", "inferred-count-is-unique",
                            "an inferred count needs the printed percentage")]
    tolerance = _rounding_tolerance(text)
    fits = [k for k in range(int(row.n) + 1)
            if abs(100 * k / row.n - row.reported_pct) <= tolerance]
    if fits == [row.events]:
        return []
    return [ctx.problem(i, "events", "inferred-count-is-unique",
                        f"{text}% of n={row.n} fits counts {fits}, so events={row.events} "
                        f"cannot be inferred; leave events empty (count_basis 'none')")]


def _rounding_tolerance(text: str) -> float:
    """Half a unit in the last printed decimal place ('16' -> 0.5, '42.5' -> 0.05)."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** -decimals + 1e-9


def _audited_rows(root: Path) -> dict[str, set[str]]:
    audit = _raw_table(root, AUDIT_TABLE)
    return audit.groupby("table")["row_key"].apply(set).to_dict()


def study_in_references(ctx: _Context) -> list[Problem]:
    if not ctx.has("study"):
        return []
    keys = set(references(ctx.root).entries)
    return [
        ctx.problem(i, "study", "study-in-references",
                    f"study {study!r} is not a key of {BIBLIOGRAPHY}")
        for i, study in ctx.table["study"].items()
        if study not in keys
    ]


EVIDENCE_MAP = "studies"
CHAPTERS = "chapters"
# The rule a broken reference to a table breaks, by the table it points at.
REFERENCE_RULES = {EVIDENCE_MAP: "study-in-evidence-map", CHAPTERS: "chapter-in-chapters"}


def declared_references(ctx: _Context) -> list[Problem]:
    """The package's ``foreignKeys`` (and ``listForeignKeys``: several keys in a
    cell, separated by ``delimiter``): every value is a key of the table named."""
    keys, lists = _declared_references(ctx.root, ctx.resource.name)
    problems = []
    for declared, is_list in [(fk, False) for fk in keys] + [(fk, True) for fk in lists]:
        columns = [declared["field"]] if is_list else list(declared["fields"])
        target = declared["reference"]["resource"] or ctx.resource.name
        target_columns = list(declared["reference"]["fields"])
        if not ctx.has(*columns):
            continue
        table = ctx.raw if target == ctx.resource.name else _raw_table(ctx.root, target)
        known = set(zip(*(table[c] for c in target_columns)))
        rule = REFERENCE_RULES.get(target, "foreign-key")
        where = f"data/{_resource(ctx.root, target).path}"
        for i in ctx.raw.index:
            cells = [ctx.raw.at[i, c] for c in columns]
            if is_list:
                values = [(v,) for v in cells[0].split(declared.get("delimiter", ";"))] if cells[0] else []
            else:
                values = [tuple(cells)] if any(cells) else []
            for value in values:
                if value not in known:
                    shown = ", ".join(repr(v) for v in value)
                    problems.append(ctx.problem(
                        i, columns[0], rule,
                        f"{shown} is not a {'/'.join(target_columns)} in {where}"))
    return problems


def _raw_table(root: Path, name: str) -> pd.DataFrame:
    """Another table, schema-checked, as text (for cross-table rules)."""
    problems, raw = _schema_checked(root, name)
    if problems:
        raise DataError(problems)
    return raw


def ci_brackets_value(ctx: _Context) -> list[Problem]:
    if not ctx.has("value", "ci_low", "ci_high"):
        return []
    problems = []
    for i, row in ctx.table.iterrows():
        low, high = row.ci_low, row.ci_high
        if not math.isnan(low) and low > row.value:
            problems.append(ctx.problem(i, "ci_low", "ci-brackets-value",
                                        f"ci_low={low} is above value={row.value}"))
        if not math.isnan(high) and high < row.value:
            problems.append(ctx.problem(i, "ci_high", "ci-brackets-value",
                                        f"ci_high={high} is below value={row.value}"))
    return problems


SYNTHESIS_OUTCOMES = ("ORR", "CR")  # the rates the synthesis compares


def in_synthesis_decided(ctx: _Context) -> list[Problem]:
    """Every counted ORR or CR row says whether the synthesis shows it, and a
    row left out says why; a row of a superseded study is left out."""
    if not ctx.has("in_synthesis", "synthesis_note", "outcome", "events", "study"):
        return []
    superseded = _raw_table(ctx.root, EVIDENCE_MAP).set_index("study")["superseded_by"]
    problems = []
    for i, row in ctx.table.iterrows():
        counted = pd.notna(row.events) and row.outcome in SYNTHESIS_OUTCOMES
        flag = row.in_synthesis
        if counted and pd.isna(flag):
            problems.append(ctx.problem(
                i, "in_synthesis", "in-synthesis-decided",
                f"a counted {row.outcome} row must say whether the synthesis shows it: "
                "true, or false with the reason in synthesis_note"))
        elif not counted and pd.notna(flag):
            problems.append(ctx.problem(
                i, "in_synthesis", "in-synthesis-decided",
                "only an ORR or CR row with a count can be shown in the synthesis; "
                "leave in_synthesis empty"))
        elif flag is False and not row.synthesis_note.strip():
            problems.append(ctx.problem(
                i, "synthesis_note", "left-out-with-a-reason",
                "in_synthesis is false: say why the row is left out"))
        elif flag is True and superseded.get(row.study, ""):
            problems.append(ctx.problem(
                i, "in_synthesis", "superseded-left-out",
                f"study {row.study!r} is superseded by {superseded[row.study]!r} "
                f"(data/{EVIDENCE_MAP}.csv): set in_synthesis false"))
    return problems


def chapter_titles_match_pages(ctx: _Context) -> list[Problem]:
    """A chapter's title is its page's '# ' heading; every chapter page has a row."""
    if ctx.resource.name != CHAPTERS:
        return []
    problems = []
    for i, row in ctx.table.iterrows():
        page = ctx.root / "chapters" / f"{row.slug}.md"
        if not page.is_file():
            continue  # a planned chapter: named as forthcoming until it lands
        heading = _HEADING.search(page.read_text("utf-8"))
        if not heading or heading.group(1) != row.title:
            found = repr(heading.group(1)) if heading else "no '# ' heading"
            problems.append(ctx.problem(
                i, "title", "title-is-the-heading",
                f"chapters/{row.slug}.md is titled {found}, not {row.title!r}; "
                "make them the same"))
    listed = set(ctx.table.slug)
    for page in sorted((ctx.root / "chapters").glob("*.md")):
        if page.stem not in listed:
            problems.append(Problem(ctx.file, None, "slug", "chapter-has-a-row",
                                    f"chapters/{page.name} has no row: add its slug, "
                                    "title, short label, modality, order and part"))
    return problems


_HEADING = re.compile(r"^# (.+?)\s*$", re.MULTILINE)


SOURCE_CHECKS = "source_checks"


def checks_postdate_sources(ctx: _Context) -> list[Problem]:
    """The latest check of the sources is no earlier than the year of the newest
    source: a chapter's evidence cannot be more recent than its last search."""
    if ctx.resource.name != SOURCE_CHECKS:
        return []
    years = pd.to_numeric(_raw_table(ctx.root, EVIDENCE_MAP)["year"].replace("", None))
    newest = years.max()
    latest = ctx.raw["checked_on"].max()
    if pd.isna(newest) or int(latest[:4]) >= int(newest):
        return []
    index = int(ctx.raw["checked_on"].idxmax())
    return [ctx.problem(index, "checked_on", "checks-postdate-sources",
                        f"the latest check ({latest}) is before the newest source "
                        f"(data/{EVIDENCE_MAP}.csv has a study of {int(newest)}): "
                        "add the check that found it")]


def audit_names_a_table(ctx: _Context) -> list[Problem]:
    if ctx.resource.name != AUDIT_TABLE:
        return []
    known = set(table_names(ctx.root))
    return [
        ctx.problem(i, "table", "audit-names-a-table", f"no table named {name!r}")
        for i, name in ctx.table["table"].items()
        if name not in known
    ]


def question_bank_rules(ctx: _Context) -> list[Problem]:
    """The questions' tokens resolve to one row each, every option has feedback
    naming a section, no number is typed (:mod:`lbclbook.questions`)."""
    if ctx.resource.name != "questions":
        return []
    from .questions import problems  # it reads the tables through this module
    return problems(ctx)


RULES = [
    events_at_most_n,
    reported_pct_matches_counts,
    count_basis_consistent,
    study_in_references,
    declared_references,
    ci_brackets_value,
    audit_names_a_table,
    in_synthesis_decided,
    chapter_titles_match_pages,
    checks_postdate_sources,
    question_bank_rules,
]


@lru_cache(maxsize=4)
def _parse_bib(path: Path, mtime_ns: int) -> pybtex.database.BibliographyData:
    return pybtex.database.parse_file(str(path), bib_format="bibtex")


# --------------------------------------------------------------------------
# Command line: check the data without building the book.


def main(argv: list[str] | None = None) -> int:
    """``python -m lbclbook.data [TABLE or data/FILE.csv ...]``: 0 if valid, else 1."""
    args = sys.argv[1:] if argv is None else argv
    root = book_root()
    try:
        files = {(root / DATAPACKAGE.parent / resource.path).resolve(): resource.name
                 for resource in _package(root).resources}
        names = [files.get(Path(arg).resolve(), arg) for arg in args]
        unknown = [name for name in names if name not in files.values()]
        if unknown:
            print(f"data: no table or file {unknown[0]!r} in {DATAPACKAGE}; known "
                  f"tables: {', '.join(files.values())}", file=sys.stderr)
            return 1
        validate_all(root, names or None)
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    count = len(set(names) or files)
    print(f"data: {count} table{'s' if count != 1 else ''} valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
