"""The question bank: retrieval practice as data (``data/questions.csv``).

Each row is a multiple-choice question on one chapter and one of its
learning objectives (``data/objectives.csv``): a stem, four or five options,
the correct one, feedback for every option and the sources behind it.

Numbers are never typed into a question. A *token* names one row of a data
table and a format of :mod:`lbclbook.formats`, and is resolved here::

    [[responses study=chong2018 cohort='pembrolizumab after CART19' outcome=ORR | count]]
    -> "3 of 11 (27%; 95% CI 6–61)"

Filters are ``column=value`` (a value with spaces in single quotes, a quote
in it written twice; ``column~=item`` matches one of a cell's ``;``-separated
items; a column given twice means either). ``.N`` after a format gives N
decimals. The formats:

- one row with ``events`` and ``n``: ``count`` (7 of 18 (39%; 95% CI 17–64)),
  ``percent``, ``pct``, ``ci``, ``fraction`` (7/18), ``of`` (7 of 18),
  ``width`` (of the CI), ``rest`` and ``rest-count`` (those without the
  event), ``printed`` (the source's percentage), ``events``, ``n``;
- one row with a value: ``value`` (with its unit, digits as printed),
  ``estimate`` (with its CI), ``range``, ``p``, ``col:NAME`` (any cell);
  radiotherapy courses: ``bed``, ``eqd2``;
- several rows (at least one): ``rows``, ``sum:COL``, ``min:COL``, ``max:COL``;
- two rows, ``... vs column=value``: ``odds-ratio``, ``risk-difference``,
  ``fisher-p`` (recomputed from the counts), ``count-of`` (two printed counts);
- the book's constants: ``[[book ci]]`` (95% CI), ``[[book alpha-beta]]``.

A token that matches no row or several, or asks a row for what it does not
hold, is a :class:`lbclbook.data.Problem` naming file, row, column and rule,
so the questions are validated like every table (``python -m lbclbook.data``),
with the rules of :func:`problems`: feedback on every option, naming a
section of the chapter, and no number typed outside a token.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import data, formats, stats
from .paths import book_root

QUESTIONS = "questions"
OBJECTIVES = "objectives"
LETTERS = "abcde"
TEXT_COLUMNS = ("stem", *(f"option_{x}" for x in LETTERS), *(f"feedback_{x}" for x in LETTERS))


@dataclass(frozen=True)
class Question:
    """One question of the bank, its tokens resolved."""

    id: str
    chapter: str
    objective: int
    stem: str                      # plain text, tokens resolved
    options: tuple[str, ...]       # 4 or 5, tokens resolved
    correct: int                   # index into options
    feedback: tuple[str, ...]      # one per option, tokens resolved
    sources: tuple[str, ...]       # BibTeX keys
    skill: str = "recall"

    @property
    def letter(self) -> str:
        """The correct option's letter, ``"a"`` to ``"e"``."""
        return LETTERS[self.correct]


# --------------------------------------------------------------------------
# Public API


def bank(root: Path | str | None = None) -> list[Question]:
    """Every question, validated, in id order."""
    root = book_root(root)
    return list(_bank(root, _inputs_stamp(root)))


@lru_cache(maxsize=4)
def _bank(root: Path, stamp: tuple) -> tuple[Question, ...]:
    """The bank, validated and resolved once per state of its inputs (a build
    asks for it on every chapter page and the answer key)."""
    table = data.load(QUESTIONS, root)  # raises DataError, tokens included
    resolver = Resolver(root)
    return tuple(_question(row, resolver) for _, row in table.sort_values("id").iterrows())


def _inputs_stamp(root: Path) -> tuple:
    """What the validated bank depends on: the data, the bibliography, the
    chapters' section titles; as (file, modification time) pairs."""
    files = [root / data.DATAPACKAGE, root / data.BIBLIOGRAPHY,
             *sorted((root / data.DATAPACKAGE.parent).glob("*.csv")),
             *sorted((root / "chapters").glob("*.md"))]
    return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())


def for_chapter(slug: str, root: Path | str | None = None) -> list[Question]:
    """The questions on chapter ``slug``, in id order."""
    return [q for q in bank(root) if q.chapter == slug]


def objectives(slug: str, root: Path | str | None = None) -> list[str]:
    """Chapter ``slug``'s learning objectives, in order: each completes
    "After this chapter you can: ..."."""
    table = data.load(OBJECTIVES, root)
    rows = table[table.chapter == slug].sort_values("number")
    return list(rows.text)


def resolve(text: str, root: Path | str | None = None) -> str:
    """``text`` with every token replaced by its number (raises :class:`TokenError`)."""
    return Resolver(book_root(root)).text(text)


def _question(row: pd.Series, resolver: Resolver) -> Question:
    present = [x for x in LETTERS if row[f"option_{x}"].strip()]
    return Question(
        id=row.id, chapter=row.chapter, objective=int(row.objective),
        stem=resolver.text(row.stem),
        options=tuple(resolver.text(row[f"option_{x}"]) for x in present),
        correct=present.index(row.correct),
        feedback=tuple(resolver.text(row[f"feedback_{x}"]) for x in present),
        sources=tuple(row.sources.split()),
        skill=row.skill,
    )


# --------------------------------------------------------------------------
# Tokens: parsing


class TokenError(ValueError):
    """A token that cannot be resolved; ``rule`` is the data rule it breaks."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


TOKEN = re.compile(r"\[\[(.*?)\]\]")
# One word of a token: a filter column=value (or column~=value), 'vs', a name.
_WORD = re.compile(r"\s*(?:(?P<column>[a-z_][a-z0-9_]*)(?P<op>~?=)"
                   r"(?P<value>'(?:[^']|'')*'|[^\s']+)|(?P<bare>[^\s=']+))")
# Constants of the book, written once: [[book ci]] -> "95% CI", [[book alpha-beta]] -> "10 Gy".
BOOK_CONSTANTS = {"alpha-beta": lambda: f"{formats.number(stats.ALPHA_BETA_TUMOUR)} Gy",
                  "ci": formats.level}


@dataclass(frozen=True)
class Filter:
    column: str
    value: str
    contains: bool = False  # '~=': the value is one of the cell's ';'-separated items

    def matches(self, cell: str) -> bool:
        if self.contains:
            return self.value in [item.strip() for item in cell.split(";")]
        return cell == self.value


@dataclass(frozen=True)
class Token:
    """``[[table filters (vs filters) | format.digits]]``, parsed."""

    text: str
    table: str
    filters: tuple[Filter, ...]
    other: tuple[Filter, ...] | None  # the second row of a comparison ('vs')
    format: str
    argument: str | None   # the column of 'col:NAME', 'sum:NAME'...
    digits: int | None


def parse(text: str) -> Token:
    """One token's inside (without the brackets), or :class:`TokenError`."""
    head, bar, tail = _split_format(text)
    if not bar:
        words = head.split()
        if len(words) == 2 and words[0] == "book" and words[1] in BOOK_CONSTANTS:
            return Token(text, "book", (), None, words[1], None, None)
        raise TokenError("token-syntax", f"[[{text}]] has no '| format'")
    format_name, argument, digits = _parse_format(text, tail.strip())
    table, filters, other = _parse_selection(text, head)
    return Token(text, table, filters, other, format_name, argument, digits)


def _split_format(text: str) -> tuple[str, str, str]:
    """Split at the last '|' outside single quotes."""
    quoted, last = False, -1
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif char == "|" and not quoted:
            last = i
    if quoted:
        raise TokenError("token-syntax", f"[[{text}]] has an unclosed quote")
    if last < 0:
        return text, "", ""
    return text[:last], "|", text[last + 1:]


def _parse_format(text: str, spec: str) -> tuple[str, str | None, int | None]:
    match = re.fullmatch(r"([a-z][a-z0-9-]*)(?::([a-z_][a-z0-9_]*))?(?:\.(\d))?", spec)
    if not match:
        raise TokenError("token-format", f"[[{text}]]: '{spec}' is not a format "
                         f"(one of {', '.join(FORMATS)}, optionally .N for N decimals)")
    name, argument, digits = match.groups()
    if name not in FORMATS:
        raise TokenError("token-format", f"[[{text}]]: unknown format '{name}' "
                         f"(known: {', '.join(FORMATS)})")
    if (name in NEEDS_COLUMN) != (argument is not None):
        raise TokenError("token-format", f"[[{text}]]: write '{name}:COLUMN'"
                         if name in NEEDS_COLUMN else f"[[{text}]]: '{name}' takes no column")
    return name, argument, None if digits is None else int(digits)


def _parse_selection(text: str, head: str):
    table, filters, other, position = None, [], None, 0
    head = head.rstrip()
    while position < len(head):
        match = _WORD.match(head, position)
        if not match or match.end() == position:
            raise TokenError("token-syntax", f"[[{text}]]: cannot read "
                             f"'{head[position:].strip()}' (write column=value, "
                             "quoting a value with spaces: cohort='a b')")
        position = match.end()
        if match.group("bare") is not None:
            word = match.group("bare")
            if table is None:
                table = word
            elif word == "vs" and other is None:
                other, filters = filters, []
            else:
                raise TokenError("token-syntax", f"[[{text}]]: unexpected word '{word}'")
            continue
        value = match.group("value")
        if value.startswith("'"):
            value = value[1:-1].replace("''", "'")
        filters.append(Filter(match.group("column"), value, match.group("op") == "~="))
        if table is None:
            raise TokenError("token-syntax", f"[[{text}]] must start with a table name")
    if table is None or not (filters or other):
        raise TokenError("token-syntax", f"[[{text}]] needs a table and column=value filters")
    if other is not None:  # 'a vs b': b is a with b's filters replacing a's
        first = tuple(other)
        replaced = {f.column for f in filters}
        second = tuple(f for f in first if f.column not in replaced) + tuple(filters)
        return table, first, second
    return table, tuple(filters), None


# --------------------------------------------------------------------------
# Tokens: resolving


class Resolver:
    """Resolves tokens against the data tables of the book at ``root``."""

    def __init__(self, root: Path):
        self.root = root

    def text(self, text: str) -> str:
        return TOKEN.sub(lambda m: self.token(m.group(1)), text)

    def token(self, inside: str) -> str:
        token = parse(inside)
        if token.table == "book":
            return BOOK_CONSTANTS[token.format]()
        raw, typed = self._tables(token.table)
        for flt in token.filters + (token.other or ()):
            if flt.column not in raw.columns:
                raise TokenError("token-column", f"[[{inside}]]: data/{token.table}.csv has no "
                                 f"column '{flt.column}' (columns: {', '.join(raw.columns)})")
        if token.format in AGGREGATES:
            rows = self._rows(token, token.filters, raw, at_least_one=True)
            return AGGREGATES[token.format](token, raw.loc[rows], typed.loc[rows])
        first = self._one(token, token.filters, raw)
        if token.format in COMPARISONS:
            if token.other is None:
                raise TokenError("token-syntax", f"[[{inside}]]: '{token.format}' compares "
                                 "two rows: write '... vs column=value | ...'")
            second = self._one(token, token.other, raw)
            return COMPARISONS[token.format](token, typed.loc[first], typed.loc[second])
        if token.other is not None:
            raise TokenError("token-syntax", f"[[{inside}]]: 'vs' needs a comparison format "
                             f"({', '.join(COMPARISONS)})")
        return ROW_FORMATS[token.format](token, raw.loc[first], typed.loc[first])

    def _tables(self, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        if name not in data.table_names(self.root) or name in (QUESTIONS, OBJECTIVES):
            raise TokenError("token-table", f"no table '{name}' to take numbers from in "
                             f"{data.DATAPACKAGE}")
        return _tables(self.root, name, _stamp(self.root, name))

    def _rows(self, token: Token, filters, raw: pd.DataFrame, at_least_one=False) -> list[int]:
        by_column: dict[str, list[Filter]] = {}
        for flt in filters:
            by_column.setdefault(flt.column, []).append(flt)
        rows = [i for i in raw.index
                if all(any(f.matches(raw.at[i, column]) for f in alternatives)
                       for column, alternatives in by_column.items())]
        if at_least_one and not rows:
            raise TokenError("token-matches-one-row", f"[[{token.text}]] matches no row "
                             f"of data/{token.table}.csv")
        return rows

    def _one(self, token: Token, filters, raw: pd.DataFrame) -> int:
        rows = self._rows(token, filters, raw)
        if len(rows) != 1:
            key = data._resource(self.root, token.table).schema.primary_key or []
            missing = [c for c in key if c not in {f.column for f in filters}]
            hint = f"; add filters ({', '.join(missing)})" if rows and missing else ""
            count = f"{len(rows)} rows" if rows else "0 rows"
            raise TokenError("token-matches-one-row", f"[[{token.text}]] matches {count} "
                             f"of data/{token.table}.csv{hint}")
        return rows[0]


def _stamp(root: Path, name: str) -> int:
    return data.table_path(name, root).stat().st_mtime_ns


@lru_cache(maxsize=64)
def _tables(root: Path, name: str, stamp: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Table ``name`` as text (to match filters and read printed digits) and typed."""
    typed = data.load(name, root)
    raw = data._raw_table(root, name)
    return raw, typed


# --------------------------------------------------------------------------
# Formats of one row


def _need(token: Token, row: pd.Series, *columns: str) -> None:
    missing = [c for c in columns if c not in row.index or _empty(row[c])]
    if missing:
        raise TokenError("token-needs-columns", f"[[{token.text}]]: format '{token.format}' "
                         f"needs {', '.join(missing)}, empty or absent in that row of "
                         f"data/{token.table}.csv")


def _empty(value) -> bool:
    return value is None or value is pd.NA or value == "" or (
        isinstance(value, float) and math.isnan(value))


def _proportion(token: Token, typed: pd.Series) -> stats.Proportion:
    _need(token, typed, "events", "n")
    return stats.proportion(int(typed.events), int(typed.n))


def _decimals(*texts: str) -> int:
    """The most decimals printed in ``texts`` ('5.3' -> 1, '0.042' -> 3)."""
    return max((len(t.split(".")[1]) if "." in t else 0) for t in texts)


def _digits(token: Token, *texts: str, default: int | None = None) -> int:
    if token.digits is not None:
        return token.digits
    return default if default is not None else _decimals(*texts)


VALUE_COLUMNS = ("value", "median", "pct", "value_low")


def _value_column(token: Token, row: pd.Series) -> str:
    for column in VALUE_COLUMNS:
        if column in row.index:
            return column
    raise TokenError("token-needs-columns", f"[[{token.text}]]: data/{token.table}.csv has "
                     f"no value column ({', '.join(VALUE_COLUMNS)})")


def _unit(raw: pd.Series) -> str:
    unit = raw.get("unit", "") or ""
    return "%" if unit == "percent" else unit


def _with_unit(number: str, unit: str) -> str:
    return f"{number}{unit}" if unit in ("", "%") else f"{number} {unit}"


def _count(token, raw, typed):
    return formats.count_ci(_proportion(token, typed), token.digits or 0)


def _percent(token, raw, typed):
    return formats.percent_ci(_proportion(token, typed), token.digits or 0)


def _pct(token, raw, typed):
    return f"{formats.number(_proportion(token, typed).pct, token.digits or 0)}%"


def _ci(token, raw, typed):
    p = _proportion(token, typed)
    return f"{formats.level()} {formats.interval(p.low, p.high, token.digits or 0)}"


def _fraction(token, raw, typed):
    _need(token, typed, "events", "n")
    return formats.fraction(typed.events, typed.n)


def _of(token, raw, typed):
    _need(token, typed, "events", "n")
    return f"{int(typed.events)} of {int(typed.n)}"


def _width(token, raw, typed):
    p = _proportion(token, typed)
    return f"{formats.number(p.high - p.low, token.digits or 0)} percentage points"


def _printed(token, raw, typed):
    _need(token, raw, "reported_pct")
    text = raw.reported_pct
    if token.digits is not None:
        text = formats.number(float(text), token.digits)
    return f"{text}%"


def _column_as_printed(token: Token, raw: pd.Series, column: str) -> str:
    if column not in raw.index:
        raise TokenError("token-column", f"[[{token.text}]]: data/{token.table}.csv has no "
                         f"column '{column}'")
    _need(token, raw, column)
    text = raw[column]
    if token.digits is not None:
        try:
            return formats.number(float(text), token.digits)
        except ValueError:
            raise TokenError("token-format", f"[[{token.text}]]: '{text}' is not a number "
                             "to give decimals to") from None
    return text.replace("-", formats.MINUS) if re.fullmatch(r"-\d+(\.\d+)?", text) else text


def _rest(token, raw, typed):
    p = _proportion(token, typed)
    return str(p.n - p.events)


def _rest_count(token, raw, typed):
    p = _proportion(token, typed)
    return formats.events_ci(p.n - p.events, p.n, token.digits or 0)


def _events(token, raw, typed):
    return _column_as_printed(token, raw, "events")


def _n(token, raw, typed):
    return _column_as_printed(token, raw, "n")


def _value(token, raw, typed):
    column = _value_column(token, raw)
    _need(token, raw, column)
    high = "value_high" if column == "value_low" and not _empty(raw.get("value_high", "")) else None
    digits = _digits(token, raw[column], *([raw[high]] if high else []))
    number = formats.number(float(raw[column]), digits)
    if high:
        number = formats.interval(float(raw[column]), float(raw[high]), digits)
    return _with_unit(number, _unit(raw))


def _estimate(token, raw, typed):
    column = _value_column(token, raw)
    _need(token, raw, column, "ci_low", "ci_high")
    digits = _digits(token, raw[column], raw.ci_low, raw.ci_high)
    return formats.with_ci(float(raw[column]), float(raw.ci_low), float(raw.ci_high),
                           digits, _unit(raw))


def _range(token, raw, typed):
    column = _value_column(token, raw)
    low, high = ("range_low", "range_high") if "range_low" in raw.index else ("low", "high")
    _need(token, raw, column, low, high)
    digits = _digits(token, raw[column], raw[low], raw[high])
    number = _with_unit(formats.number(float(raw[column]), digits), _unit(raw))
    return f"{number} (range {formats.interval(float(raw[low]), float(raw[high]), digits)})"


def _p(token, raw, typed):
    if "p_value" in raw.index:
        relation, value = raw.get("p_relation", "=") or "=", raw.p_value
    elif raw.get("statistic") == "p_value":
        relation, value = raw.get("relation", "=") or "=", raw.value
    else:
        raise TokenError("token-needs-columns", f"[[{token.text}]]: format 'p' needs a row "
                         "with p_value (or statistic p_value)")
    _need(token, pd.Series({"p_value": value}), "p_value")
    digits = _digits(token, value)
    return f"p {relation} {formats.number(float(value), digits)}"


def _column(token, raw, typed):
    return _column_as_printed(token, raw, token.argument)


def _radiotherapy(quantity):
    def format_(token, raw, typed):
        _need(token, typed, "dose_gy", "fractions")
        dose = quantity(float(typed.dose_gy), int(typed.fractions))
        return f"{formats.number(dose, _digits(token, default=1))} Gy"
    return format_


ROW_FORMATS = {
    "count": _count, "percent": _percent, "pct": _pct, "ci": _ci, "fraction": _fraction, "of": _of,
    "width": _width, "printed": _printed, "events": _events, "n": _n,
    "rest": _rest, "rest-count": _rest_count,
    "value": _value, "estimate": _estimate, "range": _range, "p": _p, "col": _column,
    "bed": _radiotherapy(stats.bed), "eqd2": _radiotherapy(stats.eqd2),
}


# --------------------------------------------------------------------------
# Formats of several rows (at least one) and of two rows


def _numbers(token: Token, raw: pd.DataFrame) -> tuple[list[float], int]:
    column = token.argument
    if column not in raw.columns:
        raise TokenError("token-column", f"[[{token.text}]]: data/{token.table}.csv has no "
                         f"column '{column}'")
    texts = [t for t in raw[column] if t != ""]
    if len(texts) != len(raw):
        raise TokenError("token-needs-columns", f"[[{token.text}]]: '{column}' is empty in "
                         "a matching row")
    return [float(t) for t in texts], _digits(token, *texts)


def _aggregate(function):
    def format_(token, raw, typed):
        values, digits = _numbers(token, raw)
        return formats.number(function(values), digits)
    return format_


AGGREGATES = {
    "rows": lambda token, raw, typed: str(len(raw)),
    "sum": _aggregate(sum), "min": _aggregate(min), "max": _aggregate(max),
}


def _pair(token: Token, first: pd.Series, second: pd.Series) -> tuple[int, int, int, int]:
    for row in (first, second):
        _need(token, row, "events", "n")
    return int(first.events), int(first.n), int(second.events), int(second.n)


def _odds_ratio(token, first, second):
    c = stats.odds_ratio(*_pair(token, first, second))
    return formats.ratio_ci(c.estimate, c.low, c.high, _digits(token, default=2))


def _risk_difference(token, first, second):
    c = stats.risk_difference(*_pair(token, first, second))
    return formats.with_ci(c.estimate, c.low, c.high, _digits(token, default=0),
                           unit="percentage points")


def _fisher_p(token, first, second):
    p = stats.fisher_p(*_pair(token, first, second))
    return f"p = {formats.number(p, _digits(token, default=3))}"


def _count_of(token, first, second):
    """The first row's value as a count of the second row's (both printed counts)."""
    values = []
    for row in (first, second):
        column = _value_column(token, row)
        _need(token, row, column)
        values.append(float(row[column]))
    events, n = values
    if not (events.is_integer() and n.is_integer() and 0 <= events <= n and n > 0):
        raise TokenError("token-needs-columns", f"[[{token.text}]]: 'count-of' needs two "
                         f"whole counts, the first no larger than the second ({events:g}, {n:g})")
    return formats.events_ci(int(events), int(n), _digits(token, default=0))


COMPARISONS = {"odds-ratio": _odds_ratio, "risk-difference": _risk_difference,
               "fisher-p": _fisher_p, "count-of": _count_of}
FORMATS = [*ROW_FORMATS, *AGGREGATES, *COMPARISONS]
NEEDS_COLUMN = {"col", "sum", "min", "max"}


# --------------------------------------------------------------------------
# Validation: the rules data.load applies to the questions table


def problems(ctx) -> list[data.Problem]:
    """Every broken rule of the questions table (``ctx``: a data rule's context)."""
    if ctx.resource.name != QUESTIONS:
        return []
    resolver = Resolver(ctx.root)
    found = []
    headings = _HeadingCache(ctx.root)
    labels = _labels(ctx.root)
    for i in ctx.raw.index:
        row = ctx.raw.loc[i]
        found += _option_problems(ctx, i, row)
        for column in TEXT_COLUMNS:
            text = row[column]
            for match in TOKEN.finditer(text):
                try:
                    resolver.token(match.group(1))
                except TokenError as error:
                    found.append(ctx.problem(i, column, error.rule, str(error)))
                except (data.DataError, FileNotFoundError):
                    pass  # the table itself is broken or missing, and its own check says how
            found += _typed_number_problems(ctx, i, column, text, labels, headings(row.chapter))
        found += _section_problems(ctx, i, row, headings(row.chapter))
    return found


def _option_problems(ctx, i, row) -> list[data.Problem]:
    found = []
    for x in LETTERS:
        option, feedback = row[f"option_{x}"].strip(), row[f"feedback_{x}"].strip()
        if option and not feedback:
            found.append(ctx.problem(i, f"feedback_{x}", "feedback-for-every-option",
                                     f"option {x} has no feedback: say why it is right or wrong"))
        elif feedback and not option:
            found.append(ctx.problem(i, f"feedback_{x}", "feedback-for-every-option",
                                     f"feedback {x} is for an empty option"))
    if row.correct and not row[f"option_{row.correct}"].strip():
        found.append(ctx.problem(i, "correct", "correct-names-an-option",
                                 f"the correct answer is '{row.correct}', an empty option"))
    prefix = f"{row.chapter}-"
    if not row.id.startswith(prefix) or not re.fullmatch(r"\d\d", row.id[len(prefix):]):
        found.append(ctx.problem(i, "id", "id-is-chapter-and-number",
                                 f"id '{row.id}' should be '{prefix}NN' (two digits)"))
    return found


# A stand-alone number: digits not glued to a letter, hyphen or another digit.
_NUMBER = re.compile(r"(?<![\w\-./])[−-]?\d+(?:[.,]\d+)*%?(?![\w/])")
_ALLOWED_NUMBERS = [
    re.compile(r"\b(?:phase|grade|Grade|Phase)s? \d(?:/\d| or \d|-\d)?(?: or higher)?"),
    re.compile(r"\b[A-Z][a-zA-Z-]+ (?:et al\. )?(?:19|20)\d\d[ab]?\b"),  # Imber 2020
    re.compile(r"\b\d+-(?:month|year|week|day)\b"),  # an endpoint's time point: 12-month OS
    re.compile(r"\b[Pp]atient \d+\b"),  # a patient's number in a printed table
    re.compile(r"\b2-Gy fractions\b"),  # what EQD2 means, not a result
]


def _typed_number_problems(ctx, i, column, text, labels, headings) -> list[data.Problem]:
    plain = TOKEN.sub(" ", text)
    for heading in headings:
        plain = plain.replace(f"'{heading}'", " ")
    for label in labels:
        plain = plain.replace(label, " ")
    for allowed in _ALLOWED_NUMBERS:
        plain = allowed.sub(" ", plain)
    typed = _NUMBER.findall(plain)
    if not typed:
        return []
    return [ctx.problem(i, column, "no-typed-number",
                        f"typed number(s) {', '.join(repr(t) for t in typed)}: write a token "
                        "[[table column=value | format]] instead")]


def _section_problems(ctx, i, row, headings) -> list[data.Problem]:
    """Every feedback names a section of the chapter, in single quotes."""
    found = []
    for x in LETTERS:
        feedback = row[f"feedback_{x}"]
        if feedback.strip() and not any(f"'{title}'" in feedback for title in headings):
            found.append(ctx.problem(
                i, f"feedback_{x}", "feedback-names-a-section",
                f"name the section of chapters/{row.chapter}.md that decides it, in quotes "
                f"(\"See 'Section title'.\"); its sections: {'; '.join(headings)}"))
    return found


class _HeadingCache:
    def __init__(self, root: Path):
        self.root, self.cache = root, {}

    def __call__(self, slug: str) -> list[str]:
        if slug not in self.cache:
            self.cache[slug] = section_titles(slug, self.root)
        return self.cache[slug]


_SECTION = re.compile(r"^#{2,4} (.+?)\s*$", re.MULTILINE)
_ROLE = re.compile(r"\{[a-z:-]+\}`([^`<]*?)(?:\s*<[^>]*>)?`")


# Sections every chapter ends with: none of them decides an answer.
CLOSING_SECTIONS = {"Key points", "Check yourself", "Data for this chapter", "References",
                    "How to cite this chapter"}


def section_titles(slug: str, root: Path | str | None = None) -> list[str]:
    """The titles of chapter ``slug``'s sections that hold its content, as a
    reader sees them (MyST roles shown as their text)."""
    page = book_root(root) / "chapters" / f"{slug}.md"
    if not page.is_file():
        return []
    titles = [_ROLE.sub(r"\1", title) for title in _SECTION.findall(page.read_text("utf-8"))]
    return [title for title in titles if title not in CLOSING_SECTIONS]


def _labels(root: Path) -> list[str]:
    """How the book names its sources (``Zurko 2023a``), longest first."""
    studies = data._raw_table(root, data.EVIDENCE_MAP)
    return sorted(studies.label, key=len, reverse=True)


def source_label(key: str, root: Path | str | None = None) -> str:
    """The label a reader sees for BibTeX key ``key`` (``zurko2023`` -> ``Zurko 2023a``)."""
    studies = data._raw_table(book_root(root), data.EVIDENCE_MAP).set_index("study")
    return studies.label.get(key, key)
