"""Text from data reaches the page as text, never as markup."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lbclbook import markup, tables

ATTACK = "<img src=x onerror=alert(1)>"


def test_escape_turns_html_and_myst_syntax_into_literals():
    escaped = markup.escape(ATTACK + " {doc}`x` $y$ | *z*")
    for character in "<>{}`$|*=()":
        assert character not in escaped.replace("\\" + character, "")


def test_escape_keeps_text_on_one_line():
    assert "\n" not in markup.escape("a\nb\r\nc")


def test_table_cells_and_captions_are_escaped():
    table = pd.DataFrame({"study": [ATTACK], "n": [3]})
    myst = tables.to_myst(table, "tbl-test", caption=ATTACK, formats={})
    assert not re.search(r"(?<!\\)[<>]", myst)  # every angle bracket escaped
    assert myst.count("\\<img") == 2


def test_markup_cells_pass_through_a_dataframe_unescaped():
    link = markup.doc_link("radiotherapy")
    table = pd.DataFrame({"chapter": ["x"]}).assign(chapter=[link])
    myst = tables.to_myst(table, "tbl-test", caption="c", formats={})
    assert "{doc}`/chapters/radiotherapy`" in myst


@pytest.mark.parametrize("bad", ["Has Space", "x`y", "../etc", ""])
def test_labels_and_links_refuse_anything_but_slugs(bad):
    with pytest.raises(ValueError):
        markup.label(bad)
    with pytest.raises(ValueError):
        markup.doc_link(bad)


def test_directive_fence_outgrows_backticks_in_its_body():
    text = markup.directive("table", "cap", {}, "a ```` b")
    assert text.startswith("`````{table}")


def test_numbers_are_formatted_and_missing_values_left_blank():
    table = pd.DataFrame({"value": [5.25, float("nan")]})
    myst = tables.to_myst(table, "tbl-test", caption="c", formats={"value": "{:.1f}"})
    assert "| 5\\.2 |" in myst and "|  |" in myst


def test_numbers_fractions_and_intervals_are_right_aligned_text_is_not():
    from lbclbook import stats, tables
    table = stats.with_exact_ci(pd.DataFrame({"study": ["A", "B"], "events": [7, 0], "n": [18, 5]}))
    shown = tables.with_response_columns(table)[["study", "n/N", "%", "95% CI"]]
    text = tables.to_myst(shown, "t", "A table", {})
    align_row = [line for line in text.splitlines() if line.startswith("| :---") or line.startswith("| ---")][0]
    assert align_row == "| :--- | ---: | ---: | ---: |"
    assert r"| A | 7\/18 | 39 | 17–64 |" in text
    assert r"| B | 0\/5 | 0 | 0–52 |" in text
