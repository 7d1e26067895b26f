"""Exact intervals agree with what is known about them independently.

The checks do not reuse scipy's interval code: closed forms at the edges,
the defining tail probabilities of the Clopper-Pearson interval, and its
symmetry.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats as sp

from lbclbook import stats

ALPHA = 1 - stats.LEVEL


@pytest.mark.parametrize("n", [1, 5, 12, 61])
def test_zero_events_has_the_closed_form_upper_bound(n):
    low, high = stats.exact_ci(0, n)
    assert low == 0
    assert high == pytest.approx(1 - (ALPHA / 2) ** (1 / n), rel=1e-9)


@pytest.mark.parametrize("n", [1, 5, 12, 61])
def test_all_events_has_the_closed_form_lower_bound(n):
    low, high = stats.exact_ci(n, n)
    assert high == 1
    assert low == pytest.approx((ALPHA / 2) ** (1 / n), rel=1e-9)


@pytest.mark.parametrize("events,n", [(7, 18), (10, 61), (16, 61), (238, 550), (1, 4)])
def test_bounds_have_the_defining_tail_probabilities(events, n):
    # Clopper-Pearson: P(X >= x | p_low) = alpha/2 and P(X <= x | p_high) = alpha/2.
    low, high = stats.exact_ci(events, n)
    assert sp.binom.sf(events - 1, n, low) == pytest.approx(ALPHA / 2, abs=1e-9)
    assert sp.binom.cdf(events, n, high) == pytest.approx(ALPHA / 2, abs=1e-9)


def test_interval_is_symmetric_in_events_and_non_events():
    low, high = stats.exact_ci(10, 61)
    mirror_low, mirror_high = stats.exact_ci(51, 61)
    assert (low, high) == pytest.approx((1 - mirror_high, 1 - mirror_low), abs=1e-12)


def test_proportion_is_in_percent_and_prints_its_counts():
    p = stats.proportion(46, 61)
    assert p.pct == pytest.approx(100 * 46 / 61)
    assert p.low < p.pct < p.high
    assert str(p).startswith("46/61 (75%, 95% CI ")


def test_with_exact_ci_adds_columns_row_by_row():
    table = pd.DataFrame({"events": [0, 5], "n": [5, 5]})
    out = stats.with_exact_ci(table)
    assert list(out.columns) == ["events", "n", "pct", "ci_low", "ci_high"]
    assert out.ci_low.iloc[0] == 0 and out.ci_high.iloc[1] == 100


def test_two_gray_fractions_are_their_own_eqd2():
    # 50 Gy in 25 fractions is by definition 50 Gy in 2-Gy fractions.
    assert stats.eqd2(50, 25) == pytest.approx(50)
    assert stats.bed(50, 25) == pytest.approx(60)  # 50 * (1 + 2/10)


def test_hypofractionation_raises_bed_and_eqd2():
    # 20 Gy in 5 fractions: d = 4 Gy; BED = 20 * 1.4 = 28; EQD2 = 28 / 1.2.
    assert stats.bed(20, 5) == pytest.approx(28)
    assert stats.eqd2(20, 5) == pytest.approx(28 / 1.2)


def test_alpha_beta_changes_the_result_as_the_formula_says():
    assert stats.bed(20, 5, alpha_beta=3) == pytest.approx(20 * (1 + 4 / 3))
    assert stats.eqd2(20, 5, alpha_beta=3) == pytest.approx(20 * (4 + 3) / (2 + 3))
