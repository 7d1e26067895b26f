"""Numbers for the prose, pasted with MyST-NB's ``glue``.

Every number a reader sees in running text is computed in the chapter and
glued, never typed. Values are converted to plain Python numbers first:
numpy scalars break ``{glue:text}`` format specs.

Where the prose repeats a pattern, the whole phrase is glued under one name
(``glue_count("dreger", 7, 18)`` gives "7 of 18 (39%; 95% CI 17–64)"), so a
chapter's source reads as a sentence and every interval is written the same
way (:mod:`lbclbook.formats`). Keys are literal strings: a reader of the
source finds where ``{glue:text}`dreger``` comes from by searching for
``"dreger"``.
"""

from __future__ import annotations

import numbers

from myst_nb import glue as _glue

from . import formats
from .stats import proportion


def glue(name: str, value: object) -> None:
    """Glue ``value`` under ``name`` for ``{glue:text}`name:.1f``` in the prose."""
    _glue(name, _plain(value), display=False)


def glue_proportion(name: str, events: int, n: int) -> None:
    """Glue ``name_events``, ``_n``, ``_pct``, ``_low`` and ``_high`` (exact 95% CI)."""
    p = proportion(events, n)
    for suffix, value in [("events", p.events), ("n", p.n), ("pct", p.pct),
                          ("low", p.low), ("high", p.high)]:
        glue(f"{name}_{suffix}", value)


def glue_count(name: str, events: int, n: int, digits: int = 0) -> None:
    """Glue ``name`` as "7 of 18 (39%; 95% CI 17–64)"."""
    glue(name, formats.events_ci(events, n, digits))


def glue_percent(name: str, events: int, n: int, digits: int = 0) -> None:
    """Glue ``name`` as "39% (95% CI 17–64)" (the count is said elsewhere)."""
    glue(name, formats.percent_ci(proportion(events, n), digits))


def glue_estimate(name: str, value: float, low: float, high: float,
                  digits: int = 0, unit: str = "") -> None:
    """Glue ``name`` as "5.1 months (95% CI 3.0–7.2)" (a printed estimate)."""
    glue(name, formats.with_ci(value, low, high, digits, unit))


def _plain(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)
