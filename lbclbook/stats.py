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
        from .formats import count_ci  # formats builds on this module
        return count_ci(self)


def exact_ci(events: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Clopper-Pearson interval for ``events``/``n`` as fractions in [0, 1]."""
    ci = stats.binomtest(int(events), int(n)).proportion_ci(
        confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def proportion(events: int, n: int, level: float = LEVEL) -> Proportion:
    low, high = exact_ci(events, n, level)
    return Proportion(int(events), int(n), half_up(100 * events / n) if 0 < events < n else 100 * events / n, 100 * low, 100 * high)


# The book rounds percentages half up, as journals do: 10/16 = 62.5% prints
# as 63%, like 14/16 = 87.5% as 88%. Python's formatting rounds an exact tie
# to even (62), so a percentage carries a nudge far below any printed digit.
TIE_NUDGE = 1e-9


def half_up(percent: float) -> float:
    """``percent`` nudged so that ``f"{x:.0f}"`` and ``f"{x:.1f}"`` round ties up."""
    return min(100.0, percent + TIE_NUDGE * max(1.0, abs(percent)))


def with_exact_ci(table: pd.DataFrame, events: str = "events", n: str = "n",
                  level: float = LEVEL) -> pd.DataFrame:
    """The rows of ``table`` that have a count, plus ``pct``, ``ci_low`` and
    ``ci_high`` (percent). A row with only a printed percentage has no
    interval and is left out; counts come back as plain integers."""
    table = table[table[events].notna() & table[n].notna()].astype({events: int, n: int})
    rows = [proportion(e, m, level) for e, m in zip(table[events], table[n])]
    return table.assign(
        pct=[r.pct for r in rows],
        ci_low=[r.low for r in rows],
        ci_high=[r.high for r in rows],
    )


# --------------------------------------------------------------------------
# Radiotherapy: the linear-quadratic model.
# BED  = D * (1 + d / (alpha/beta))
# EQD2 = D * (d + alpha/beta) / (2 + alpha/beta)
# with D the total dose, d = D / n the dose per fraction, n the fractions.

ALPHA_BETA_TUMOUR = 10.0  # Gy: the book's convention for tumour (DESIGN.md)


def bed(total_dose: float, fractions: int, alpha_beta: float = ALPHA_BETA_TUMOUR) -> float:
    """Biologically effective dose (Gy) of ``total_dose`` Gy in ``fractions``."""
    per_fraction = total_dose / fractions
    return total_dose * (1 + per_fraction / alpha_beta)


def eqd2(total_dose: float, fractions: int, alpha_beta: float = ALPHA_BETA_TUMOUR) -> float:
    """Equivalent dose in 2-Gy fractions (Gy): the same BED given as 2 Gy a day."""
    return bed(total_dose, fractions, alpha_beta) / (1 + 2 / alpha_beta)


# --------------------------------------------------------------------------
# Two groups: recomputing what a source tested, from its counts.


@dataclass(frozen=True)
class Comparison:
    """An effect between two groups with its 95% CI, and a two-sided p-value."""

    estimate: float
    low: float
    high: float
    p_value: float


def risk_difference(events_a: int, n_a: int, events_b: int, n_b: int,
                    level: float = LEVEL) -> Comparison:
    """Difference of proportions a - b (percentage points) with Newcombe's
    hybrid score interval, and Fisher's exact p-value.

    Newcombe's interval behaves well with small counts and zero cells, where
    the Wald interval does not.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        int(events_a), int(n_a), int(events_b), int(n_b),
        compare="diff", method="newcomb", alpha=1 - level)
    estimate = events_a / n_a - events_b / n_b
    p_value = fisher_p(events_a, n_a, events_b, n_b)
    return Comparison(100 * estimate, 100 * float(low), 100 * float(high), p_value)


def odds_ratio(events_a: int, n_a: int, events_b: int, n_b: int,
               level: float = LEVEL) -> Comparison:
    """Conditional maximum-likelihood odds ratio (a against b) with its exact
    CI, and Fisher's exact p-value: the usual companions of a 2x2 table."""
    table = [[int(events_a), int(n_a - events_a)], [int(events_b), int(n_b - events_b)]]
    result = stats.contingency.odds_ratio(table, kind="conditional")
    ci = result.confidence_interval(confidence_level=level)
    return Comparison(float(result.statistic), float(ci.low), float(ci.high),
                      fisher_p(events_a, n_a, events_b, n_b))


def fisher_p(events_a: int, n_a: int, events_b: int, n_b: int) -> float:
    """Two-sided Fisher exact test of events_a/n_a against events_b/n_b."""
    table = [[int(events_a), int(n_a - events_a)], [int(events_b), int(n_b - events_b)]]
    return float(stats.fisher_exact(table).pvalue)
