"""Numbers for the prose, pasted with MyST-NB's ``glue``.

Every number a reader sees in running text is computed in the chapter and
glued, never typed. Values are converted to plain Python numbers first:
numpy scalars break ``{glue:text}`` format specs.
"""

from __future__ import annotations

import numbers

from myst_nb import glue as _glue

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


def _plain(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)
