"""Statistics the chapters share, all delegated to scipy.

Proportions get exact (Clopper-Pearson) 95% confidence intervals: with the
small denominators of salvage studies, normal approximations misbehave.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from scipy import stats

LEVEL = 0.95


@dataclass(frozen=True)
class Proportion:
    """``events`` of ``n`` with an exact confidence interval, in percent."""

    events: int
    n: int
    pct: float
    low: float
    high: float

    def __str__(self) -> str:
        return (f"{self.events}/{self.n} ({self.pct:.0f}%, "
                f"95% CI {self.low:.0f}-{self.high:.0f}%)")


def exact_ci(events: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Clopper-Pearson interval for ``events``/``n`` as fractions in [0, 1]."""
    ci = stats.binomtest(int(events), int(n)).proportion_ci(
        confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def proportion(events: int, n: int, level: float = LEVEL) -> Proportion:
    low, high = exact_ci(events, n, level)
    return Proportion(int(events), int(n), 100 * events / n, 100 * low, 100 * high)


def with_exact_ci(table: pd.DataFrame, events: str = "events", n: str = "n",
                  level: float = LEVEL) -> pd.DataFrame:
    """``table`` plus columns ``pct``, ``ci_low`` and ``ci_high`` (percent)."""
    rows = [proportion(e, m, level) for e, m in zip(table[events], table[n])]
    return table.assign(
        pct=[r.pct for r in rows],
        ci_low=[r.low for r in rows],
        ci_high=[r.high for r in rows],
    )
