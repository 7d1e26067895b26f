"""Figures: alt text, byte-identical export, legible text on the screen they
are read on, one visual language, and the response forest every chapter uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lbclbook import plots, toc

from conftest import ROOT

ALT = "A bar chart of three made-up counts used only to test the export."
FIGURES = ROOT / "figures"


def draw():
    fig, ax = plots.figure()
    ax.bar(["a", "b", "c"], [1, 2, 3])
    return fig


# --------------------------------------------------------------------------
# Export


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
    assert set(first) == {"test-bars.svg", "test-bars.png", "test-bars.json"}
    assert first == second
    assert b"<dc:date>" not in first["test-bars.svg"]


def test_export_records_what_the_gallery_reads_and_writes_a_print_png(in_book, monkeypatch):
    from lbclbook import gallery

    monkeypatch.setattr(plots, "_shown", {})  # a fresh process, as a chapter runs in
    plots.show(draw(), "radiotherapy", "bars", alt=ALT, caption="A  caption\n on two lines.")
    plots.show(draw(), "radiotherapy", "more-bars", alt=ALT, caption="Caption.")
    plots.show(draw(), "radiotherapy", "bars", alt=ALT, caption="A caption.")  # a cell run again
    record = json.loads((in_book / "figures" / "radiotherapy-bars.json").read_text("utf-8"))
    assert record["chapter"] == "radiotherapy" and record["alt"] == ALT
    assert record["caption"] == "A caption."
    radiotherapy = toc.chapter_numbers(in_book)["radiotherapy"]
    assert record["number"] == f"{radiotherapy}.1"
    assert json.loads((in_book / "figures" / "radiotherapy-more-bars.json")
                      .read_text("utf-8"))["number"] == f"{radiotherapy}.2"
    png = in_book / "figures" / "radiotherapy-bars.png"
    assert gallery.png_size(png)[0] == round(plots.WIDTH_IN * plots.PRINT_DPI) >= plots.PRINT_MIN_PX
    assert gallery.png_dpi(png) == plots.PRINT_DPI


def test_palette_is_okabe_ito():
    assert plots.OKABE_ITO["blue"] == "#0072B2"
    assert plots.CYCLE[0] == "#0072B2"


# --------------------------------------------------------------------------
# Legible on the screen the figure is read on


def svg_width_pt(svg: Path) -> float:
    """The width an SVG declares, in points (matplotlib writes "555pt")."""
    head = svg.read_text("utf-8")[:2000]
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', head)
    assert match, f"{svg.name}: no width in points"
    return float(match.group(1))


def shown_text_px(smallest_text_pt: float, width_pt: float, shown_px: float) -> float:
    """CSS px of text drawn at ``smallest_text_pt`` in a figure ``width_pt`` wide,
    shown ``shown_px`` CSS px wide (the image is scaled to the column)."""
    return smallest_text_pt * shown_px / width_pt


def test_every_figure_has_its_measurements():
    svgs = sorted(FIGURES.glob("*.svg"))
    assert len(svgs) >= 10
    missing = [s.name for s in svgs if not s.with_suffix(".json").exists()]
    assert not missing, f"figures without measurements (rebuild the book): {missing}"


@pytest.mark.parametrize("svg", sorted(FIGURES.glob("*.svg")), ids=lambda p: p.stem)
def test_figure_text_is_at_least_11_css_px_on_a_laptop(svg):
    measured = json.loads(svg.with_suffix(".json").read_text("utf-8"))
    width_pt = svg_width_pt(svg)  # from the SVG itself, not from the record
    assert width_pt == pytest.approx(measured["width_pt"], abs=0.01)
    px = shown_text_px(measured["smallest_text_pt"], width_pt, plots.COLUMN_PX)
    assert px >= plots.MIN_TEXT_PX, (
        f"{svg.name}: {measured['smallest_text']!r} is {px:.1f} CSS px at the column's "
        f"{plots.COLUMN_PX} px")


def test_the_text_size_rule_tells_legible_from_illegible():
    # The book's old house style: 8-pt labels in a 9-inch (648-pt) figure, shown
    # 740 px wide, were 9.1 px; 10-pt text at the column width is 13.3 px.
    assert shown_text_px(8, 648, 740) < plots.MIN_TEXT_PX
    assert shown_text_px(plots.TEXT_PT, plots.WIDTH_PT, plots.COLUMN_PX) == pytest.approx(13.33, abs=0.01)


def test_show_refuses_text_too_small_for_the_screen(in_book):
    fig, ax = plots.figure()
    ax.set_title("A title", fontsize=6)
    with pytest.raises(ValueError, match="under 11"):
        plots.show(fig, "test", "small", alt=ALT, caption="Caption.")


def test_show_refuses_a_figure_wider_than_the_column(in_book):
    fig, _ = plt.subplots(figsize=(9, 3))
    with pytest.raises(ValueError, match="not the column"):
        plots.show(fig, "test", "wide", alt=ALT, caption="Caption.")


def test_show_refuses_text_cut_off_or_overprinted(in_book):
    fig, ax = plots.figure()
    ax.text(0.5, 0.5, "first words", transform=ax.transAxes)
    ax.text(0.51, 0.5, "second words", transform=ax.transAxes)
    with pytest.raises(ValueError, match="overlap"):
        plots.show(fig, "test", "overprinted", alt=ALT, caption="Caption.")
    fig, ax = plots.figure()
    fig.text(0.95, 0.5, "a label that runs off the right edge")
    with pytest.raises(ValueError, match="runs off"):
        plots.show(fig, "test", "cut", alt=ALT, caption="Caption.")


def test_superscripts_count_at_the_size_they_are_drawn():
    fig, ax = plots.figure()
    ax.set_title(plots.typeset("2.5 x 10^6 cells/kg"), fontsize=10)
    measured = plots.measure(fig)
    plt.close(fig)
    assert measured["smallest_text_pt"] == pytest.approx(10 * plots.SUPERSCRIPT_SCALE)


def test_ticks_outside_the_view_are_not_counted():
    fig, ax = plots.figure()
    ax.set_xlim(0, 126)  # the locator also makes a tick at 140, which is not drawn
    fig.canvas.draw()
    every = [t.get_text() for t in fig.findobj(plots.Text)]
    texts = [t.get_text() for t in plots.visible_texts(fig)]
    plt.close(fig)
    assert "140" in every
    assert "120" in texts and "140" not in texts


def test_scientific_notation_is_typeset():
    assert plots.typeset("2.5 x 10^6 cells/kg fresh") == "2.5 × $10^{6}$ cells/kg fresh"
    assert plots.typeset("costs $5") == r"costs \$5"  # a dollar in data stays a dollar
    assert plots.plain("2.5 x 10^6 cells/kg") == "2.5 × 10⁶ cells/kg"


# --------------------------------------------------------------------------
# One visual language


def test_each_semantic_colour_means_one_thing():
    meanings = {**{f"response {k}": v for k, v in plots.OUTCOME_COLOUR.items()
                   if k in ("ORR", "CR", "PR")},
                **{f"severity {k}": v for k, v in plots.GRADE_COLOUR.items()},
                "no meaning": plots.NEUTRAL}
    colours = list(meanings.values())
    assert len(set(colours)) == len(colours), meanings
    assert set(plots.ERA_MARKER.values()) == {"s", "o"}


def test_chapters_take_their_colours_from_the_meanings():
    # A colour picked by name in a chapter would carry no book-wide meaning.
    for page in sorted((ROOT / "chapters").glob("*.md")) + sorted((ROOT / "cases").glob("*.md")):
        text = page.read_text("utf-8")
        assert "OKABE_ITO[" not in text and "plots.CYCLE" not in text, page.name
        assert not re.search(r'#[0-9A-Fa-f]{6}\b|colors?=\[', text), page.name


def test_chapters_draw_response_rates_with_the_response_forest():
    for page in sorted((ROOT / "chapters").glob("*.md")):
        text = page.read_text("utf-8")
        assert not re.search(r'["\']ORR["\'] else', text), (
            f"{page.name} colours ORR and CR itself: use plots.response_forest")


# --------------------------------------------------------------------------
# The response forest


STUDIES = pd.DataFrame({
    "study": ["deck2019", "later2024", "mixed2020"],
    "label": ["Deck 2019", "Later 2024", "Mixed 2020"],
    "treatment": ["Drug A", "Drug B", "Drug C"],
    "trial": ["TRIAL-1", "", ""],
    "era": ["the deck", "later evidence", "the deck"],
}).set_index("study")

RESPONSES = pd.DataFrame({
    "study": ["deck2019", "deck2019", "later2024", "later2024", "mixed2020"],
    "cohort": ["drug a: prior CAR-T"] * 2 + ["after CAR-T failure"] * 2 + ["DLBCL"],
    "outcome": ["ORR", "CR", "ORR", "CR", "ORR"],
    "events": [7, 4, 0, 0, 10],
    "n": [18, 18, 3, 3, 10],
    "after_car_t": ["all", "all", "all", "all", "some"],
    "count_basis": ["printed", "printed", "inferred", "inferred", "printed"],
})


def forest_texts(fig) -> list[str]:
    return [t.get_text() for t in plots.visible_texts(fig)]


def test_response_forest_puts_orr_and_cr_in_panels_with_counts_and_intervals():
    fig, alt = plots.response_forest(RESPONSES, STUDIES, title="A test forest")
    texts = forest_texts(fig)
    for words in ["Overall response (ORR)", "Complete response (CR)", "A test forest",
                  plots.POPULATION["all"], plots.POPULATION["some"],
                  "Drug A (TRIAL-1, Deck 2019)", "prior CAR-T", "Drug C (Mixed 2020)", "DLBCL",
                  "n/N", "%", "95% CI", "7/18", "39", "17–64", "10/10", "100", "69–100"]:
        assert words in texts, words
    # ORR rows in the ORR colour, CR rows in the CR colour; markers by era and count.
    markers = [line for ax in fig.axes for line in ax.get_lines() if line.get_marker() != "None"]
    assert [m.get_color() for m in markers] == (
        [plots.OUTCOME_COLOUR["ORR"]] * 3 + [plots.OUTCOME_COLOUR["CR"]] * 2)
    assert [m.get_marker() for m in markers][:3] == ["s", "o", "s"]
    assert [m.get_markerfacecolor() for m in markers][1] == "white"  # inferred: open
    # Nothing clipped at the axis ends (0% and 100% here).
    assert all(not line.get_clip_on() for ax in fig.axes for line in ax.get_lines())
    plt.close(fig)
    assert "7 of 18 (39%; 95% CI 17–64)" in alt
    assert "count inferred from a printed percentage" in alt
    assert alt.index("Overall response") < alt.index("Complete response")


def test_response_forest_legend_names_every_encoding_shown():
    fig, _ = plots.response_forest(RESPONSES, STUDIES, title="A test forest")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
    assert legend == [plots.OUTCOME_NAME["ORR"], plots.OUTCOME_NAME["CR"],
                      plots.ERA_NAME["the deck"], plots.ERA_NAME["later evidence"],
                      "count inferred from a printed %"]
    fig, _ = plots.response_forest(RESPONSES[RESPONSES.count_basis == "printed"], STUDIES,
                                   title="Printed counts only")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
    assert "count inferred from a printed %" not in legend


def test_response_forest_groups_rows_under_headings_in_the_order_given():
    groups = pd.Series(["Modality one", "Modality one", "Modality two", "Modality two",
                        "Modality one"], index=RESPONSES.index)
    fig, alt = plots.response_forest(RESPONSES, STUDIES, title="Grouped", groups=groups)
    texts = forest_texts(fig)
    plt.close(fig)
    orr = texts[texts.index("Overall response (ORR)"):texts.index("Complete response (CR)")]
    assert orr.index("Modality one") < orr.index("Drug A (TRIAL-1, Deck 2019)") \
        < orr.index("Modality two") < orr.index("Drug B (Later 2024)")
    assert "Modality one: Drug A (TRIAL-1, Deck 2019)" in alt


def test_response_forest_needs_the_treatment_of_each_study():
    studies = STUDIES.assign(treatment=["Drug A", "", "Drug C"])
    with pytest.raises(ValueError, match="treatment is empty for later2024"):
        plots.response_forest(RESPONSES, studies, title="No treatment")


# --------------------------------------------------------------------------
# In the built site: the width the figures are drawn for, and the link to each


def test_figures_are_shown_at_the_drawn_width_and_link_to_their_svg(clean_build, browser, tell):
    from lbclbook.toolchain.build import SITE
    from sitebrowser import LocalSite

    site_root = clean_build / SITE
    checked = 0
    with LocalSite(site_root) as site:
        for width in (1366, 390):
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for html in sorted((site_root / "chapters").glob("*.html")):
                page.goto(site.url + f"chapters/{html.name}", wait_until="load")
                for figure in page.locator("main figure").all():
                    image = figure.locator("img")
                    if not image.count():
                        continue
                    src = image.get_attribute("src")
                    link = figure.locator("a").first.get_attribute("href")
                    assert link and link.endswith(Path(src).name) and link.endswith(".svg"), src
                    response = page.request.get(site.url + "chapters/" + link)
                    assert response.status == 200
                    assert response.headers["content-type"].startswith("image/svg+xml")
                    if width == 1366:
                        shown = image.bounding_box()["width"]
                        measured = json.loads((clean_build / "figures" / Path(src).name)
                                              .with_suffix(".json").read_text("utf-8"))
                        px = shown_text_px(measured["smallest_text_pt"],
                                           measured["width_pt"], shown)
                        assert px >= plots.MIN_TEXT_PX, (html.name, src, shown, px)
                        assert shown >= plots.COLUMN_PX - 1, (html.name, src, shown)
                        checked += 1
            context.close()
    assert checked >= 10
    tell(f"figures: {checked} shown at >= {plots.COLUMN_PX} px on a 1366-px screen, "
         f"smallest text >= {plots.MIN_TEXT_PX} CSS px, each linked to its SVG")
