"""How the book writes a number: one format in prose, tables, captions and alt text.

A confidence interval always reads ``39% (95% CI 17–64)``: the estimate, then
the level and the bounds joined by an en dash, with the unit written once.
An interval whose lower bound is negative reads ``−3 to 12`` (an en dash
next to a minus sign is ambiguous). The level comes from :data:`stats.LEVEL`,
so it is written once for the whole book.
"""

from __future__ import annotations

import math

from .stats import LEVEL, Proportion, proportion

EN_DASH = "\u2013"
MINUS = "\u2212"


def level() -> str:
    """``"95% CI"``: the book's confidence level, as a reader sees it."""
    return f"{100 * LEVEL:.0f}% CI"


def number(value: float, digits: int = 0) -> str:
    """``value`` with ``digits`` decimals and a typographic minus sign."""
    text = f"{value:.{digits}f}"
    return text.replace("-", MINUS) if text.startswith("-") else text


def interval(low: float, high: float, digits: int = 0) -> str:
    """``"17–64"``, or ``"−3 to 12"`` when the lower bound is negative."""
    joiner = " to " if low < 0 else EN_DASH
    return f"{number(low, digits)}{joiner}{number(high, digits)}"


def with_ci(value: float, low: float, high: float, digits: int = 0, unit: str = "") -> str:
    """``"39% (95% CI 17–64)"`` or ``"5.1 months (95% CI 3.0–7.2)"``.

    ``unit`` is appended to the estimate only: ``"%"`` sticks to the number,
    a word is separated by a space.
    """
    space = "" if unit in ("", "%") else " "
    return f"{number(value, digits)}{space}{unit} ({level()} {interval(low, high, digits)})"


def ratio_ci(value: float, low: float, high: float, digits: int = 2) -> str:
    """``"0.11 (95% CI 0.002–1.76)"``: a ratio (odds, hazard) with its CI.

    A ratio is above zero, so a number that would print as zero at ``digits``
    decimals gets the decimals its first significant digit needs (0.0017 ->
    0.002): "0.00" would claim a bound the data do not give.
    """
    def shown(x: float) -> str:
        return number(x, max(digits, _first_significant_decimal(x)))
    return f"{shown(value)} ({level()} {shown(low)}{EN_DASH}{shown(high)})"


def _first_significant_decimal(x: float) -> int:
    """The decimal place of the first significant digit of 0 < x < 1 (0.0017 -> 3)."""
    return -math.floor(math.log10(x)) if 0 < x < 1 else 0


def percent_ci(p: Proportion, digits: int = 0) -> str:
    """``"39% (95% CI 17–64)"`` for a :class:`stats.Proportion`."""
    return with_ci(p.pct, p.low, p.high, digits, unit="%")


def count_ci(p: Proportion, digits: int = 0) -> str:
    """``"7 of 18 (39%; 95% CI 17–64)"``: count, denominator, percent and interval."""
    return (f"{p.events} of {p.n} ({number(p.pct, digits)}%; "
            f"{level()} {interval(p.low, p.high, digits)})")


def events_ci(events: int, n: int, digits: int = 0) -> str:
    """:func:`count_ci` straight from a count."""
    return count_ci(proportion(events, n), digits)


def fraction(events: int, n: int) -> str:
    """``"7/18"``, for a table's n/N column."""
    return f"{int(events)}/{int(n)}"
