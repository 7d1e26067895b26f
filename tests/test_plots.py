"""Figures need alt text and export byte-identically."""

from __future__ import annotations


import pytest

from lbclbook import plots

ALT = "A bar chart of three made-up counts used only to test the export."


def draw():
    fig, ax = plots.figure()
    ax.bar(["a", "b", "c"], [1, 2, 3])
    return fig


def test_alt_text_and_caption_are_required(in_book):
    with pytest.raises(ValueError, match="alt text"):
        plots.show(draw(), "test", "bars", alt="bars", caption="c")
    with pytest.raises(ValueError, match="caption"):
        plots.show(draw(), "test", "bars", alt=ALT, caption=" ")


def test_export_is_byte_identical_between_runs(in_book):
    plots.show(draw(), "test", "bars", alt=ALT, caption="Caption.")
    first = {p.name: p.read_bytes() for p in (in_book / "figures").glob("test-bars.*")}
    plots.show(draw(), "test", "bars", alt=ALT, caption="Caption.")
    second = {p.name: p.read_bytes() for p in (in_book / "figures").glob("test-bars.*")}
    assert set(first) == {"test-bars.svg", "test-bars.png"}
    assert first == second
    assert b"<dc:date>" not in first["test-bars.svg"]


def test_palette_is_okabe_ito():
    assert plots.OKABE_ITO["blue"] == "#0072B2"
    assert plots.CYCLE[0] == "#0072B2"
