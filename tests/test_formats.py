"""One way to write a number with its interval, everywhere in the book."""

from __future__ import annotations

import pytest

from lbclbook import formats, stats


def test_level_is_written_from_the_statistics_module():
    assert formats.level() == f"{100 * stats.LEVEL:.0f}% CI"


def test_a_count_reads_events_of_n_then_percent_and_interval():
    p = stats.proportion(7, 18)
    assert formats.count_ci(p) == f"7 of 18 (39%; 95% CI {p.low:.0f}\u2013{p.high:.0f})"
    assert str(p) == formats.count_ci(p)


def test_a_percent_carries_its_unit_once():
    assert formats.percent_ci(stats.proportion(10, 16)) .startswith("63% (95% CI ")
    assert formats.percent_ci(stats.proportion(10, 16)).count("%") == 2  # 63% and "95% CI"


def test_a_value_with_a_word_unit_is_spaced():
    assert formats.with_ci(5.1, 3.0, 7.2, 1, "months") == "5.1 months (95% CI 3.0\u20137.2)"


@pytest.mark.parametrize("low,high,text", [
    (17, 64, "17\u201364"),
    (-3, 12, "\u22123 to 12"),
    (-8, -2, "\u22128 to \u22122"),
])
def test_a_negative_lower_bound_is_joined_by_to(low, high, text):
    assert formats.interval(low, high) == text


def test_fraction_is_events_over_n():
    assert formats.fraction(7.0, 18) == "7/18"


@pytest.mark.parametrize("value,low,high,text", [
    (0.109, 0.0017, 1.762, "0.11 (95% CI 0.002\u20131.76)"),
    (0.62, 0.41, 0.93, "0.62 (95% CI 0.41\u20130.93)"),
    (0.42, 0.004, 12.5, "0.42 (95% CI 0.004\u201312.50)"),
])
def test_a_ratio_never_prints_a_bound_as_zero(value, low, high, text):
    assert formats.ratio_ci(value, low, high) == text
