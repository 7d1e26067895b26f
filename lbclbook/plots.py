"""One house style and one visual language for every figure, and deterministic export.

Importing this module applies the style.

**Drawn for the screen it is read on.** The site shows a figure across the
article column, :data:`COLUMN_PX` CSS pixels wide on a 1366-px laptop. Every
figure is drawn exactly that wide (:data:`WIDTH_IN`; no tight bounding box
that would change it), so one point of its text is 4/3 of a CSS pixel there,
as in any web page: the sizes below are the sizes the reader sees.
:func:`show` refuses a figure of another width, text cut off at its edges or
two texts drawn over each other, and records beside the figure
(``figures/<stem>.json``) its width and its smallest text, which
``tests/test_plots.py`` turns into CSS pixels (at least :data:`MIN_TEXT_PX`).
On a phone the column is narrower; the site links every figure to its SVG,
which opens full size.

**One visual language.** A colour or a marker means the same thing in every
figure, and a legend in the figure says so wherever a meaning is encoded:

- response: :data:`OUTCOME_COLOUR` (ORR blue, CR bluish green);
- severity: :data:`GRADE_COLOUR` (any grade orange, grade 3 or higher vermillion);
- where the evidence enters the book: :data:`ERA_MARKER` (the deck a square,
  later evidence a circle);
- how a count is known: printed, a filled marker; inferred from a printed
  percentage, an open one (:func:`count_key`);
- who was studied: a heading over the rows (:data:`POPULATION`), never a colour.

Everything else is drawn in :data:`NEUTRAL`.

:func:`show` writes ``figures/<chapter>-<name>.svg`` and ``.png`` (byte-identical
on every run: fixed SVG hash salt, no dates, no software stamp) and the
``.json`` record (measurements, and the chapter, number, caption and alt text
that the figure gallery reads), then displays a numbered MyST figure with alt
text and caption.

**Two resolutions.** The PNG in ``figures/`` is for slides and print:
:data:`PRINT_DPI` dots per inch, :data:`PRINT_MIN_PX` pixels wide or more (the
SVG is what the site shows; the PDFs take the PNG). The notebook output
carries a screen copy (:data:`SCREEN_DPI`) instead: nbval still compares the
image itself between runs, but the executed notebooks, the execution cache
and anyone opening the notebook do not carry four times the pixels for an
image the page never shows.
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import matplotlib.ticker  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.textpath import text_to_path  # noqa: E402
from matplotlib.transforms import Affine2D, Bbox  # noqa: E402

from . import formats, markup, stats, toc  # noqa: E402
from .paths import book_root  # noqa: E402

# --------------------------------------------------------------------------
# The screen

# Width of a figure in the article column on a 1366-px laptop, in CSS px, as
# measured in the built site (tests/test_plots.py measures it again).
COLUMN_PX = 740
CSS_PX_PER_PT = 96 / 72      # a CSS pixel is 1/96 inch, a point 1/72
WIDTH_IN = COLUMN_PX / 96    # a figure drawn this wide is shown at scale 1
WIDTH_PT = WIDTH_IN * 72
MIN_TEXT_PX = 11             # the smallest text a reader should meet
# mathtext draws superscripts at 70% of the text's size (matplotlib's
# SHRINK_FACTOR); the measurements count them at that size.
SUPERSCRIPT_SCALE = 0.7

# Text sizes in points (x 4/3 = CSS px on the laptop): 10 pt is 13.3 px.
TEXT_PT = 10
SMALL_PT = 9                 # 12 px: the smallest the house style uses
TITLE_PT = 11.5
# Text with a superscript (2.5 × 10⁶) is drawn large enough for the superscript.
SCRIPT_TEXT_PT = 12

# --------------------------------------------------------------------------
# Colours and their meanings

# Okabe & Ito's palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
CYCLE = [OKABE_ITO[c] for c in ("blue", "orange", "green", "vermillion", "sky", "purple", "black")]
GREY = "#595959"     # 7:1 contrast on white, for secondary text and guides
NEUTRAL = GREY       # marks that encode nothing but their position
LIGHT = "#A6A6A6"    # a lighter neutral, for a middle category of a scale
PALE = "#D9D9D9"     # a fill that must not compete (an empty category)
RULE = "#BFBFBF"     # rules and grid lines

# Response: overall (complete + partial) and its parts.
OUTCOME_COLOUR = {"ORR": OKABE_ITO["blue"], "CR": OKABE_ITO["green"],
                  "PR": OKABE_ITO["sky"], "SD": LIGHT, "PD": GREY, "NE": PALE}
OUTCOME_NAME = {"ORR": "Overall response (ORR)", "CR": "Complete response (CR)",
                "PR": "Partial response (PR)", "SD": "Stable disease (SD)",
                "PD": "Progressive disease (PD)", "NE": "Not evaluable (NE)"}

# Severity of an adverse event or a cytopenia.
GRADE_COLOUR = {"any grade": OKABE_ITO["orange"], "grade 3 or higher": OKABE_ITO["vermillion"]}

# Where a source enters the book.
ERA_MARKER = {"the deck": "s", "later evidence": "o"}
ERA_NAME = {"the deck": "from the deck", "later evidence": "later evidence"}

# Who was studied (responses.after_car_t): a heading over the rows.
POPULATION = {"all": "Every patient had CAR-T before",
              "some": "Mixed cohorts: some patients had CAR-T before",
              "not stated": "CAR-T history not stated"}

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": TITLE_PT,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": TEXT_PT,
    "axes.edgecolor": GREY,
    "xtick.labelsize": TEXT_PT,
    "ytick.labelsize": TEXT_PT,
    "xtick.color": GREY,
    "ytick.color": GREY,
    "xtick.labelcolor": "black",
    "ytick.labelcolor": "black",
    "legend.fontsize": TEXT_PT,
    "legend.title_fontsize": TEXT_PT,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",  # shipped with matplotlib: same glyphs everywhere
    "font.size": TEXT_PT,
    "mathtext.default": "regular",  # $10^6$ in the text's own font
    "figure.dpi": 100,
    "figure.figsize": (WIDTH_IN, 3.6),
    "savefig.dpi": 150,
    "savefig.bbox": None,           # the figure's own size: the width it is shown
    "svg.hashsalt": "lbcl-salvage-book",
    "svg.fonttype": "path",
}
matplotlib.rcParams.update(STYLE)

FIGURES = Path("figures")
MIN_ALT_LENGTH = 40  # a sentence, not a title
PRINT_DPI = 300      # the PNG in figures/: slides and print
PRINT_MIN_PX = 1800  # wide enough for a full-width slide, projected
SCREEN_DPI = 150     # the copy in the notebook output, which the page never shows


# --------------------------------------------------------------------------
# Figures and legends


def figure(height: float = 3.6, **kwargs):
    """A new figure and axes in the house style, as wide as the column."""
    return plt.subplots(figsize=(WIDTH_IN, height), layout="constrained", **kwargs)


def title(fig, text: str) -> None:
    """The figure's title, bold, at its left edge (as the forests have it)."""
    fig.suptitle(text, x=0.005, ha="left", fontsize=TITLE_PT, fontweight="bold")


def outcome_key(outcome: str) -> Line2D:
    """Legend entry: the colour of a response outcome."""
    return _marker_key(OUTCOME_NAME[outcome], colour=OUTCOME_COLOUR[outcome])


def grade_key(grade: str, label: str | None = None) -> Patch:
    """Legend entry: the colour of a severity (``"any grade"``, ``"grade 3 or higher"``),
    named ``label`` where the source's band differs (``"grade 3-4"``)."""
    return Patch(color=GRADE_COLOUR[grade], label=label or grade)


def era_key(era: str) -> Line2D:
    """Legend entry: the marker of an era (``"the deck"``, ``"later evidence"``)."""
    return _marker_key(ERA_NAME[era], marker=ERA_MARKER[era])


def count_key() -> Line2D:
    """Legend entry: an open marker, a count inferred from a printed percentage
    (a filled one is a count the source printed)."""
    return _marker_key("count inferred from a printed %", filled=False)


def _marker_key(label: str, colour: str = NEUTRAL, marker: str = "o",
                filled: bool = True) -> Line2D:
    return Line2D([], [], linestyle="none", marker=marker, markersize=8, color=colour,
                  markerfacecolor=colour if filled else "white", markeredgewidth=2,
                  label=label)


def log_ticks(axis, ticks) -> None:
    """Label a log ``axis`` at ``ticks`` only, in plain numbers (0.5, 1,000): a log
    axis's own minor labels collide."""
    axis.set_major_locator(matplotlib.ticker.FixedLocator(ticks))
    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:,g}"))
    axis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def typeset(text: object) -> str:
    """Data text for a figure: ``$`` kept literal, ``2.5 x 10^6`` as 2.5 × 10⁶ in mathtext."""
    text = str(text).replace("$", r"\$")
    return re.sub(r"(\d)\s*x\s*10\^(\d+)", r"\1 × $10^{\2}$", text)


def plain(text: object) -> str:
    """Data text for alt text: ``2.5 x 10^6`` as 2.5 × 10⁶."""
    superscript = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    return re.sub(r"(\d)\s*x\s*10\^(\d+)",
                  lambda m: f"{m[1]} × 10{m[2].translate(superscript)}", str(text))


# --------------------------------------------------------------------------
# Forests: a table of rows with a plot column, as a meta-analysis prints them


@dataclass
class ForestRow:
    """One line of a forest: a heading, or an estimate with its text columns."""

    label: list[str]                 # the label's lines, as written
    kind: str = "row"                # "row", "section" (bold, ruled) or "group" (bold)
    estimate: tuple[float, float, float] | None = None   # value, low, high
    cells: tuple[str, ...] = ()      # the text columns, right-aligned
    colour: str = NEUTRAL
    marker: str = "o"
    filled: bool = True
    secondary: list[str] = field(default_factory=list)   # grey words after the label


@dataclass
class ForestPanel:
    heading: str | None
    rows: list[ForestRow]


LINE_PT = 1.25 * TEXT_PT         # one line of label text
ROW_PAD_PT = 4                   # between two rows
HEADING_PT = 1.25 * TEXT_PT + 6  # a section or group heading
GAP_PT = 8                       # between columns
LABEL_SHARE = 0.46               # the label column's share of the width, at most
EDGE_PT = 2                      # white margin at the figure's edges


def _text_width(text: str, size: float = TEXT_PT, weight: str = "normal") -> float:
    """Width of ``text`` in points, as matplotlib will draw it."""
    prop = FontProperties(family=STYLE["font.family"], size=legible_size(text, size),
                          weight=weight)
    return float(text_to_path.get_text_width_height_descent(text, prop, _is_math(text))[0])


def _is_math(text: str) -> bool:
    return text.count("$") - text.count(r"\$") >= 2


def _has_scripts(text: str) -> bool:
    return _is_math(text) and re.search(r"[_^]", text) is not None


def legible_size(text: str, size: float) -> float:
    """``size``, or :data:`SCRIPT_TEXT_PT` if ``text`` has a superscript."""
    return max(size, SCRIPT_TEXT_PT) if _has_scripts(text) else size


def _wrap(text: str, width: float, size: float = TEXT_PT, weight: str = "normal") -> list[str]:
    """``text`` in lines no wider than ``width`` points (a long word stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and _text_width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _label_lines(row: ForestRow, width: float, size: float) -> list[list[tuple[str, str]]]:
    """The row's label as lines of (text, style) pieces: the label in black
    at ``size``, then its secondary words in grey, on the label's last line if
    they fit."""
    if row.kind != "row":
        return [[(line, row.kind)] for line in _wrap(" ".join(row.label), width, TEXT_PT, "bold")]
    lines = [[(line, "label")] for text in row.label for line in _wrap(text, width, size)]
    for text in row.secondary:
        used = _text_width(lines[-1][-1][0] + "  ", size) if lines else width
        if _text_width(text, SMALL_PT) <= width - used:
            lines[-1].append((text, "secondary"))
        else:
            lines += [[(piece, "secondary")] for piece in _wrap(text, width, SMALL_PT)]
    return lines


def draw_forest(panels: list[ForestPanel], columns: tuple[str, ...], xlabel: str,
                title: str | None = None, legend: list | None = None,
                note: str | None = None, xlim: tuple[float, float] = (0, 100),
                xticks=(0, 25, 50, 75, 100)):
    """A forest as a table: label column, plot column, right-aligned text columns.

    Panels stack top down, each with its heading, the headers of the text
    columns and its own axis. Headings (``kind`` "section" or "group") are
    bold and may run across the plot, which has nothing on their line.
    Markers may sit on the axis ends: they are drawn unclipped.
    Returns the figure.
    """
    # Columns, from the right edge: each text column as wide as its widest cell.
    widths = [max([_text_width(header, SMALL_PT, "bold")] +
                  [_text_width(r.cells[i]) for p in panels for r in p.rows if r.cells])
              for i, header in enumerate(columns)]
    cell_rights, x = [], WIDTH_PT - EDGE_PT
    for width in reversed(widths):
        cell_rights.insert(0, x)
        x -= width + GAP_PT
    plot_right = x - GAP_PT / 2
    # Labels with a superscript are drawn larger; their neighbours follow suit.
    label_pt = max(legible_size(line, TEXT_PT) for p in panels for r in p.rows
                   if r.kind == "row" for line in r.label)
    line_pt = LINE_PT * label_pt / TEXT_PT
    label_width = min(LABEL_SHARE * WIDTH_PT,
                      max(_text_width(f"{' '.join(r.label)}  {' '.join(r.secondary)}", label_pt)
                          for p in panels for r in p.rows if r.kind == "row"))
    plot_left = EDGE_PT + label_width + 2 * GAP_PT
    if plot_right - plot_left < 120:
        raise ValueError("forest: too little room for the plot; shorten the text columns")

    # Lay everything out from the top, in points.
    y = EDGE_PT
    title_lines = _wrap(title, WIDTH_PT - 2 * EDGE_PT, TITLE_PT, "bold") if title else []
    title_y, y = y, y + len(title_lines) * 1.25 * TITLE_PT + (6 if title else 0)
    legend_y = y
    if legend:
        y += (len(legend) + 1) // 2 * 1.5 * TEXT_PT + 8
    layout = []  # (panel, heading centre, [(row, lines, top, centre)], axis top, axis bottom)
    for panel in panels:
        heading = y + HEADING_PT / 2
        y += HEADING_PT
        axis_top, placed = y, []
        for row in panel.rows:
            lines = _label_lines(row, label_width if row.kind == "row"
                                 else plot_right - EDGE_PT, label_pt)
            pitch = line_pt if row.kind == "row" else HEADING_PT
            height = len(lines) * pitch + (ROW_PAD_PT if row.kind == "row" else 0)
            placed.append((row, lines, y, y + height / 2))
            y += height
        axis_bottom = y + 2
        layout.append((panel, heading, placed, axis_top, axis_bottom))
        y = axis_bottom + 2.4 * TEXT_PT + 12   # tick labels and the axis label
    note_lines = _wrap(note, WIDTH_PT - 2 * EDGE_PT, SMALL_PT) if note else []
    note_y, y = y, y + len(note_lines) * 1.25 * SMALL_PT + EDGE_PT
    height_pt = y

    fig = plt.figure(figsize=(WIDTH_IN, height_pt / 72), layout="none")
    points = Affine2D().scale(1 / WIDTH_PT, -1 / height_pt).translate(0, 1) + fig.transFigure
    style = {"label": dict(fontsize=label_pt), "secondary": dict(fontsize=SMALL_PT, color=GREY),
             "section": dict(fontsize=TEXT_PT, fontweight="bold"),
             "group": dict(fontsize=TEXT_PT, fontweight="bold")}

    def put(x, y, text, fontsize=TEXT_PT, **kw):
        return fig.text(x, y, text, transform=points,
                        fontsize=legible_size(text, fontsize), **kw)

    for i, line in enumerate(title_lines):
        put(EDGE_PT, title_y + i * 1.25 * TITLE_PT, line, fontsize=TITLE_PT,
            fontweight="bold", va="top")
    if legend:
        fig.legend(handles=legend, loc="upper left", ncols=2, fontsize=TEXT_PT,
                   bbox_to_anchor=(EDGE_PT / WIDTH_PT, 1 - legend_y / height_pt),
                   borderaxespad=0, borderpad=0, handletextpad=0.4, columnspacing=1.5)
    for panel, heading, placed, axis_top, axis_bottom in layout:
        if panel.heading:
            put(EDGE_PT, heading, panel.heading, fontsize=TITLE_PT, fontweight="bold",
                va="center")
        for right, header in zip(cell_rights, columns):
            put(right, heading, header, fontsize=SMALL_PT, fontweight="bold", color=GREY,
                ha="right", va="center")
        ax = fig.add_axes([plot_left / WIDTH_PT, 1 - axis_bottom / height_pt,
                           (plot_right - plot_left) / WIDTH_PT,
                           (axis_bottom - axis_top) / height_pt])
        ax.set_xlim(*xlim)
        ax.set_ylim(axis_bottom, axis_top)
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_xticks(list(xticks))
        ax.grid(axis="x", color=RULE, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlabel(xlabel, fontsize=SMALL_PT)
        for row, lines, top, centre in placed:
            if row.kind == "section":
                fig.add_artist(Line2D([EDGE_PT, WIDTH_PT - EDGE_PT], [top + 1, top + 1],
                                      transform=points, color=RULE, linewidth=0.8))
            pitch = line_pt if row.kind == "row" else HEADING_PT
            for i, pieces in enumerate(lines):
                x, y_line = EDGE_PT, centre + (i - (len(lines) - 1) / 2) * pitch
                for text, kind in pieces:
                    put(x, y_line, text, va="center", **style[kind])
                    x += _text_width(text + "  ", **{"size": style[kind]["fontsize"]})
            for right, cell in zip(cell_rights, row.cells):
                put(right, centre, cell, fontsize=TEXT_PT, ha="right", va="center")
            if row.estimate is not None:
                value, low, high = row.estimate
                ax.plot([low, high], [centre, centre], color=row.colour, linewidth=2,
                        solid_capstyle="butt", clip_on=False, zorder=3)
                ax.plot([value], [centre], linestyle="none", marker=row.marker, markersize=7,
                        color=row.colour, markerfacecolor=row.colour if row.filled else "white",
                        markeredgewidth=2, clip_on=False, zorder=4)
    for i, line in enumerate(note_lines):
        put(EDGE_PT, note_y + i * 1.25 * SMALL_PT, line, fontsize=SMALL_PT, color=GREY, va="top")
    return fig


def forest(labels, events, n, xlabel: str, title: str, colour: str = NEUTRAL,
           note: str | None = None):
    """Proportions with exact CIs, one row each, top down, with n/N, % and CI columns.

    ``labels`` may hold line breaks. Returns ``(figure, alt text)``; the alt
    text gives each row's count, percentage and interval in the book's words.
    """
    rows, words = [], []
    for label, e, total in zip(labels, events, n):
        share = stats.proportion(int(e), int(total))
        rows.append(ForestRow(label=typeset(label).split("\n"),
                              estimate=(share.pct, share.low, share.high),
                              cells=_count_cells(share), colour=colour))
        words.append(f"{plain(' '.join(str(label).split()))}: {formats.count_ci(share)}")
    fig = draw_forest([ForestPanel(None, rows)], _count_columns(), xlabel, title=title,
                      note=note)
    return fig, f"Forest plot: {title}. " + "; ".join(words) + "."


def _count_columns() -> tuple[str, ...]:
    return ("n/N", "%", formats.level())


def _count_cells(share: stats.Proportion) -> tuple[str, str, str]:
    return (formats.fraction(share.events, share.n), formats.number(share.pct),
            formats.interval(share.low, share.high))


# --------------------------------------------------------------------------
# Response forests: the book's one way to draw response rates


def response_forest(responses: pd.DataFrame, studies: pd.DataFrame, title: str,
                    groups: pd.Series | None = None, name: str = "study",
                    note: str | None = None):
    """ORR and CR of ``responses`` with exact CIs, one panel per outcome.

    ``responses``: rows of ``data/responses.csv`` (ORR or CR, with a count),
    in the order to draw them. ``studies``: ``data/studies.csv`` indexed by
    study (label, treatment, trial, era). Within each outcome the rows are
    grouped by who was studied (:data:`POPULATION`, as a heading), then by
    ``groups`` (a heading per value, aligned with ``responses``; for example
    the modality). A row is named by its study's treatment, trial and label,
    with the cohort under it (``name="study"``), or by its cohort alone
    (``name="cohort"``, for one study's subgroups). Colour: the outcome;
    marker: the era; an open marker: a count inferred from a printed
    percentage.

    Returns ``(figure, alt text)``.
    """
    shown = stats.with_exact_ci(responses[responses.outcome.isin(["ORR", "CR"])])
    if shown.empty:
        raise ValueError(f"response forest {title!r}: no ORR or CR row with a count")
    shown = shown.assign(_group=groups if groups is not None else "")
    if name == "study":
        _require_treatment(shown.study.unique(), studies)
    panels, alt_parts = [], []
    for outcome in [o for o in ("ORR", "CR") if o in set(shown.outcome)]:
        rows, words = [], []
        of_outcome = shown[shown.outcome == outcome]
        for population in [p for p in POPULATION if p in set(of_outcome.after_car_t)]:
            cohort_rows = of_outcome[of_outcome.after_car_t == population]
            rows.append(ForestRow([POPULATION[population]], kind="section"))
            words.append(f"{POPULATION[population]}:")
            for group in dict.fromkeys(cohort_rows._group):
                if group:
                    rows.append(ForestRow([typeset(group)], kind="group"))
                    words.append(f"{group}:")
                for row in cohort_rows[cohort_rows._group == group].itertuples():
                    label, secondary = _row_names(row, studies, name)
                    share = stats.proportion(row.events, row.n)
                    era = studies.at[row.study, "era"]
                    inferred = row.count_basis == "inferred"
                    rows.append(ForestRow(
                        [typeset(label)], estimate=(share.pct, share.low, share.high),
                        cells=_count_cells(share), colour=OUTCOME_COLOUR[outcome],
                        marker=ERA_MARKER[era], filled=not inferred,
                        secondary=[typeset(s) for s in secondary]))
                    words.append(", ".join([plain(label), *map(plain, secondary)])
                                 + f": {formats.count_ci(share)}"
                                 + (", count inferred from a printed percentage" if inferred else "")
                                 + (", from the deck" if era == "the deck" else "") + ";")
        panels.append(ForestPanel(OUTCOME_NAME[outcome], rows))
        alt_parts.append(f"{OUTCOME_NAME[outcome]}. " + " ".join(words))
    eras = [e for e in ERA_MARKER if e in set(studies.loc[shown.study.unique(), "era"])]
    legend = [outcome_key(o) for o in ("ORR", "CR") if o in set(shown.outcome)]
    legend += [era_key(e) for e in eras]
    if (shown.count_basis == "inferred").any():
        legend.append(count_key())
    fig = draw_forest(panels, _count_columns(), xlabel=f"% of patients, exact {formats.level()}",
                      title=title, legend=legend, note=note)
    alt = (f"Forest plot: {title}. Each row gives the responders of a cohort as a count, a "
           f"percentage and an exact {formats.level()}. " + " ".join(alt_parts))
    return fig, alt


def _row_names(row, studies: pd.DataFrame, name: str) -> tuple[str, list[str]]:
    """A row's label and the grey line under it (the cohort), as data words."""
    cohort = row.cohort.rsplit(": ", 1)[-1]
    if name == "cohort":
        return cohort, []
    study = studies.loc[row.study]
    where = ", ".join(part for part in (_words(study.trial), study.label) if part)
    treatment = _words(study.treatment)
    # The cohort under the label, unless it only names the treatment again.
    repeats = cohort.lower().startswith(treatment.split(" ")[0].lower())
    return f"{treatment} ({where})", [] if repeats and ": " not in row.cohort else [cohort]


def _words(value: object) -> str:
    """A text cell, empty if missing."""
    return "" if pd.isna(value) else str(value)


def _require_treatment(keys, studies: pd.DataFrame) -> None:
    missing = [k for k in keys if not _words(studies.at[k, "treatment"])]
    if missing:
        raise ValueError(f"data/studies.csv: column treatment is empty for {', '.join(missing)}, "
                         "whose responses a figure shows; name the treatment")


# --------------------------------------------------------------------------
# Other shared figures


def dots(labels, values, xlabel: str, title: str, columns: tuple[str, ...] = (),
         cells=(), markers=None, legend: list | None = None, xmax: float | None = None):
    """One reported value per row (a median, a rate) as a dot, no interval and no
    curve, laid out as a forest: labels, the dots on one axis from zero, and
    text ``columns`` with each row's ``cells``. ``markers`` (one per row) carry
    a meaning such as :data:`ERA_MARKER`, which ``legend`` (keys such as
    :func:`era_key`) explains. Returns the figure.
    """
    markers = list(markers) if markers is not None else ["o"] * len(labels)
    cells = list(cells) if len(cells) else [()] * len(labels)
    rows = [ForestRow(label=typeset(label).split("\n"), estimate=(value, value, value),
                      cells=tuple(row_cells), marker=marker)
            for label, value, row_cells, marker in zip(labels, values, cells, markers)]
    ticks = matplotlib.ticker.MaxNLocator(nbins=6).tick_values(0, xmax or max(values))
    return draw_forest([ForestPanel(None, rows)], tuple(columns), xlabel, title=title,
                       legend=legend, xlim=(0, ticks[-1]), xticks=ticks)


# --------------------------------------------------------------------------
# Export


def show(fig, chapter: str, name: str, alt: str, caption: str) -> None:
    """Export ``fig`` to ``figures/`` and display it as a numbered figure.

    ``alt`` says what the figure shows, in numbers, for a reader who cannot
    see it; ``caption`` says what it means. Both are required. The figure
    must be as wide as the column, with no text cut off or overprinted.
    The site links the figure to its SVG (Sphinx links an image shown at a
    set width to its file), so a phone reader can open it full size.
    """
    if len(" ".join(alt.split())) < MIN_ALT_LENGTH:
        raise ValueError(f"figure {chapter}-{name}: alt text must describe the "
                         f"figure in at least {MIN_ALT_LENGTH} characters")
    if not caption.strip():
        raise ValueError(f"figure {chapter}-{name}: a caption is required")
    stem = f"{markup.label(chapter)}-{markup.label(name)}"
    measured = measure(fig)
    problems = _layout_problems(fig, measured)
    if problems:
        plt.close(fig)
        raise ValueError(f"figure {stem}: " + "; ".join(problems))
    record = {**measured, "chapter": chapter, "name": name,
              "number": _figure_number(chapter, stem),
              "caption": " ".join(caption.split()), "alt": " ".join(alt.split())}
    _export(fig, book_root() / FIGURES / stem, record)
    screen = io.BytesIO()  # after the files: drawing changes nothing they hold
    fig.savefig(screen, format="png", dpi=SCREEN_DPI, metadata={"Software": None})
    plt.close(fig)
    markup.show({
        markup.MARKDOWN: markup.directive(
            "figure", f"/{FIGURES.as_posix()}/{stem}.*",
            {"alt": markup.attribute(alt), "name": f"fig-{stem}", "width": "100%"},
            markup.escape(caption)),
        "image/png": base64.b64encode(screen.getvalue()).decode("ascii"),
        "text/plain": f"Figure {stem}: {markup.attribute(alt)}",
    })


# The figures this process has shown, per chapter, in order: a chapter's
# notebook runs in one process, top to bottom, and a cell run again shows
# the same figure again (same stem, same place).
_shown: dict[str, list[str]] = {}


def _figure_number(chapter: str, stem: str) -> str | None:
    """The figure's number in the book (``3.2``), as the site numbers it:
    the chapter's number and the figure's place in the chapter; ``None`` for
    a page that is not a numbered chapter."""
    order = _shown.setdefault(chapter, [])
    if stem not in order:
        order.append(stem)
    chapter_number = toc.chapter_numbers().get(chapter)
    return f"{chapter_number}.{order.index(stem) + 1}" if chapter_number else None


def measure(fig) -> dict:
    """The figure's width and its smallest text, as drawn (points), and the
    smallest text in CSS px when shown :data:`COLUMN_PX` wide."""
    fig.canvas.draw()
    width_pt = fig.get_figwidth() * 72
    texts = visible_texts(fig)
    smallest = min(texts, key=_shown_size) if texts else None
    size = _shown_size(smallest) if smallest else None
    return {
        "width_pt": round(width_pt, 2),
        "height_pt": round(fig.get_figheight() * 72, 2),
        "column_px": COLUMN_PX,
        "smallest_text_pt": round(size, 2) if size else None,
        "smallest_text": smallest.get_text() if smallest else None,
        "smallest_text_px": round(size * COLUMN_PX / width_pt, 2) if size else None,
        "texts": len(texts),
    }


def visible_texts(fig) -> list[Text]:
    """Every text the figure draws: visible, not empty, in a visible axes, and
    not the label of a tick outside its axis's view (matplotlib skips those)."""
    hidden = {id(label) for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
              for tick in axis.get_major_ticks() + axis.get_minor_ticks()
              if not _in_view(axis, tick.get_loc()) for label in (tick.label1, tick.label2)}
    return [t for t in fig.findobj(Text)
            if t.get_text().strip() and t.get_visible() and id(t) not in hidden
            and (t.axes is None or t.axes.get_visible())]


def _in_view(axis, location) -> bool:
    low, high = sorted(axis.get_view_interval())
    slack = 1e-9 * max(1.0, abs(high - low))
    return location is not None and low - slack <= location <= high + slack


def _shown_size(text: Text) -> float:
    """Font size in points, superscripts counted at their drawn size."""
    scale = SUPERSCRIPT_SCALE if _has_scripts(text.get_text()) else 1
    return text.get_fontsize() * scale


def _layout_problems(fig, measured: dict) -> list[str]:
    problems = []
    if abs(measured["width_pt"] - WIDTH_PT) > 0.5:
        problems.append(f"drawn {measured['width_pt']:.0f} pt wide, not the column's "
                        f"{WIDTH_PT:.0f} pt (use plots.figure)")
    if measured["smallest_text_px"] is not None and measured["smallest_text_px"] < MIN_TEXT_PX:
        problems.append(f"text {measured['smallest_text']!r} is "
                        f"{measured['smallest_text_px']:.1f} CSS px, under {MIN_TEXT_PX}")
    renderer = fig.canvas.get_renderer()
    page = fig.bbox.padded(1)
    boxes = []
    for text in visible_texts(fig):
        box = text.get_window_extent(renderer)
        if not page.containsx(box.x0) or not page.containsx(box.x1) \
                or not page.containsy(box.y0) or not page.containsy(box.y1):
            problems.append(f"text {text.get_text()!r} runs off the figure")
        # A text's box includes its line spacing: inset it before comparing.
        boxes.append((text.get_text(), Bbox.from_extents(box.x0 + 1, box.y0 + 2,
                                                         box.x1 - 1, box.y1 - 2)))
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1:]:
            common = Bbox.intersection(a, b)
            if common is not None and common.width > 0 and common.height > 0:
                problems.append(f"texts {text_a!r} and {text_b!r} overlap")
    return problems


def _export(fig, stem: Path, record: dict) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg, png, meta = stem.with_suffix(".svg"), stem.with_suffix(".png"), stem.with_suffix(".json")
    fig.savefig(svg, format="svg", metadata={"Date": None})
    # The dpi also goes into the PNG's pHYs chunk: slide software sizes it from that.
    fig.savefig(png, format="png", dpi=PRINT_DPI, metadata={"Software": None})
    meta.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return [svg, png, meta]
