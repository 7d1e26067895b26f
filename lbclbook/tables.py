"""Tables for the page: escaped, numbered, captioned, the same in HTML and PDF.

A table is displayed as a MyST ``{table}`` directive (``text/markdown``), so
Sphinx numbers it, a ``{numref}`` can point at it and LaTeX typesets it. The
same output also carries pandas' escaped HTML and plain text for anyone who
opens the executed notebook in Jupyter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

import pandas as pd

from . import formats, markup

Formatter = str | Callable[[object], str]


def show(table: pd.DataFrame, name: str, caption: str,
         formats: Mapping[str, Formatter] | None = None) -> None:
    """Display ``table`` with label ``name`` and ``caption``.

    ``formats`` maps a column to a format spec (``"{:.1f}"``) or a function.
    Cell text is escaped unless it is :class:`markup.Markup`.
    """
    formats = dict(formats or {})
    markup.show({
        markup.MARKDOWN: to_myst(table, name, caption, formats),
        "text/html": table.to_html(index=False, escape=True, na_rep=""),
        "text/plain": table.to_string(index=False),
    })


def to_myst(table: pd.DataFrame, name: str, caption: str,
            formats: Mapping[str, Formatter]) -> str:
    header = [markup.escape(column) for column in table.columns]
    rows = [
        [_cell(value, formats.get(column)) for column, value in row.items()]
        for _, row in table.iterrows()
    ]
    align = ["---:" if _numeric(table[c], [r[i] for r in rows]) else ":---"
             for i, c in enumerate(table.columns)]
    lines = [_pipe_row(header), _pipe_row(align), *map(_pipe_row, rows)]
    return markup.directive(
        "table", markup.escape(caption),
        {"name": markup.label(name), "align": "left"},
        "\n".join(lines),
    )


# A cell that is a number, a fraction (7/18) or an interval (17–64,
# −3 to 12) is set right-aligned, so that digits line up down a column.
NUMERIC_TEXT = re.compile(r"^[<>≤≥]?[−-]?[\d.,]+%?(?:\s*(?:/|–|to)\s*[−-]?[\d.,]+%?)?$")


def _numeric(column: pd.Series, cells: list[str]) -> bool:
    if pd.api.types.is_numeric_dtype(column):
        return True
    shown = [c.replace("\\", "") for c in cells if c]  # as escaped for MyST
    return bool(shown) and all(NUMERIC_TEXT.match(c) for c in shown)


def with_response_columns(table: pd.DataFrame, digits: int = 0) -> pd.DataFrame:
    """``table`` (with ``events``, ``n``, ``pct``, ``ci_low``, ``ci_high``, as
    :func:`stats.with_exact_ci` returns it) with three columns for the page:
    ``n/N``, ``%`` and the interval ("95% CI"), each right-aligned."""
    return table.assign(**{
        "n/N": [formats.fraction(e, n) for e, n in zip(table.events, table.n)],
        "%": [formats.number(p, digits) for p in table.pct],
        formats.level(): [formats.interval(lo, hi, digits)
                          for lo, hi in zip(table.ci_low, table.ci_high)],
    })


def _cell(value: object, fmt: Formatter | None) -> str:
    if _missing(value):
        return ""
    text = fmt(value) if callable(fmt) else fmt.format(value) if fmt else value
    return text if isinstance(text, markup.Markup) else markup.escape(text)


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (
        isinstance(value, float) and math.isnan(value))


def _pipe_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"
