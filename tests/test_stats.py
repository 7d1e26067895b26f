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
    assert str(p).startswith("46 of 61 (75%; 95% CI ")


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


def test_fisher_p_matches_the_hypergeometric_sum_by_hand():
    # Lady tasting tea, 3/4 against 1/4: the tables as or more extreme are
    # 3:1 and 4:0 on either side; C(4,k)C(4,4-k)/C(8,4) gives (16+1)*2/70.
    assert stats.fisher_p(3, 4, 1, 4) == pytest.approx(34 / 70)


def test_risk_difference_is_newcombes_hybrid_of_wilson_intervals():
    from statsmodels.stats.proportion import proportion_confint

    e1, n1, e2, n2 = 21, 39, 10, 39
    p1, p2 = e1 / n1, e2 / n2
    l1, u1 = proportion_confint(e1, n1, method="wilson")
    l2, u2 = proportion_confint(e2, n2, method="wilson")
    low = p1 - p2 - ((p1 - l1) ** 2 + (u2 - p2) ** 2) ** 0.5
    high = p1 - p2 + ((u1 - p1) ** 2 + (p2 - l2) ** 2) ** 0.5
    result = stats.risk_difference(e1, n1, e2, n2)
    assert result.estimate == pytest.approx(100 * (p1 - p2))
    assert (result.low, result.high) == pytest.approx((100 * low, 100 * high), abs=1e-9)


def test_risk_difference_handles_zero_cells():
    result = stats.risk_difference(5, 39, 0, 39)
    assert 0 < result.low < result.estimate < result.high


def test_odds_ratio_interval_is_exact_and_brackets_the_estimate():
    result = stats.odds_ratio(4, 7, 14, 15)
    # The conditional MLE lies near the sample odds ratio (4*1)/(3*14).
    assert result.low < result.estimate < result.high
    assert result.estimate == pytest.approx(4 / 42, rel=0.35)
    assert result.p_value == pytest.approx(stats.fisher_p(4, 7, 14, 15))


def test_with_exact_ci_leaves_out_rows_without_a_count():
    table = pd.DataFrame({"events": pd.array([3, None], dtype="Int64"),
                          "n": pd.array([11, None], dtype="Int64")})
    out = stats.with_exact_ci(table)
    assert len(out) == 1 and out.events.dtype == int and out.pct.iloc[0] == pytest.approx(300 / 11)


def test_percentages_round_half_up_as_journals_print_them():
    assert f"{stats.proportion(10, 16).pct:.0f}" == "63"   # 62.5: not half-to-even 62
    assert f"{stats.proportion(14, 16).pct:.0f}" == "88"   # 87.5
    assert f"{stats.proportion(1, 8).pct:.1f}" == "12.5"
    assert f"{stats.proportion(1, 80).pct:.1f}" == "1.3"   # 1.25
    assert stats.proportion(3, 3).pct == 100 and stats.proportion(0, 3).pct == 0
