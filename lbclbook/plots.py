"""One house style for every figure, and deterministic export.

Importing this module applies the style. :func:`show` writes the figure to
``figures/<chapter>-<name>.svg`` and ``.png`` (byte-identical on every run:
fixed SVG hash salt, no dates, no software stamp), then displays it as a
numbered MyST figure with alt text and caption. The PNG also travels in the
notebook output, so nbval compares the image itself between runs.
"""

from __future__ import annotations

import base64
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

from . import markup  # noqa: E402
from .paths import book_root  # noqa: E402

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
GREY = "#595959"  # 7:1 contrast on white, for secondary text and guides

STYLE = {
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "font.family": "DejaVu Sans",  # shipped with matplotlib: same glyphs everywhere
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "svg.hashsalt": "lbcl-salvage-book",
    "svg.fonttype": "path",
}
matplotlib.rcParams.update(STYLE)

FIGURES = Path("figures")
MIN_ALT_LENGTH = 40  # a sentence, not a title


def figure(width: float = 7.0, height: float = 3.6, **kwargs):
    """A new figure and axes in the house style, sized for a screen."""
    return plt.subplots(figsize=(width, height), **kwargs)


def forest(labels, pct, low, high, notes, xlabel: str, colors=None, hollow=None):
    """Proportions as points with confidence intervals, one row each, top down.

    ``notes`` are printed at the right edge (for example ``"10/61"``);
    ``hollow`` marks rows drawn with an open marker (for example counts
    inferred from a printed percentage).
    """
    fig, ax = figure(height=0.45 * len(labels) + 1.2)
    y = list(range(len(labels)))[::-1]
    colors = list(colors) if colors is not None else [OKABE_ITO["blue"]] * len(labels)
    hollow = list(hollow) if hollow is not None else [False] * len(labels)
    for yi, p, lo, hi, color, is_hollow in zip(y, pct, low, high, colors, hollow):
        ax.errorbar(p, yi, xerr=[[p - lo], [hi - p]], fmt="o", color=color,
                    ecolor=color, elinewidth=2, capsize=4, markersize=7,
                    markerfacecolor="white" if is_hollow else color, markeredgewidth=2)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(xlabel)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    _right_notes(ax, y, notes)
    return fig, ax


def dots(labels, values, notes, xlabel: str, colors=None):
    """One reported value per row (a median, a rate) as a dot: no curves."""
    fig, ax = figure(height=0.45 * len(labels) + 1.2)
    y = list(range(len(labels)))[::-1]
    colors = list(colors) if colors is not None else [OKABE_ITO["blue"]] * len(labels)
    ax.hlines(y, 0, values, color="#dddddd", linewidth=1)
    ax.scatter(values, y, color=colors, s=60, zorder=3)
    ax.set_yticks(y, labels)
    ax.set_xlim(left=0)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.set_xlabel(xlabel)
    _right_notes(ax, y, notes)
    return fig, ax


def _right_notes(ax, y, notes) -> None:
    transform = ax.get_yaxis_transform()  # x in axes fraction, y in data
    for yi, note in zip(y, notes):
        ax.text(1.02, yi, note, transform=transform, va="center", ha="left",
                fontsize=10, color=GREY)


def show(fig, chapter: str, name: str, alt: str, caption: str) -> None:
    """Export ``fig`` to ``figures/`` and display it as a numbered figure.

    ``alt`` says what the figure shows, in numbers, for a reader who cannot
    see it; ``caption`` says what it means. Both are required.
    """
    if len(" ".join(alt.split())) < MIN_ALT_LENGTH:
        raise ValueError(f"figure {chapter}-{name}: alt text must describe the "
                         f"figure in at least {MIN_ALT_LENGTH} characters")
    if not caption.strip():
        raise ValueError(f"figure {chapter}-{name}: a caption is required")
    stem = f"{markup.label(chapter)}-{markup.label(name)}"
    paths = _export(fig, book_root() / FIGURES / stem)
    markup.show({
        markup.MARKDOWN: markup.directive(
            "figure", f"/{FIGURES.as_posix()}/{stem}.*",
            {"alt": markup.attribute(alt), "name": f"fig-{stem}", "width": "100%"},
            markup.escape(caption)),
        "image/png": base64.b64encode(paths[1].read_bytes()).decode("ascii"),
        "text/plain": f"Figure {stem}: {markup.attribute(alt)}",
    })



def _export(fig, stem: Path) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg, png = stem.with_suffix(".svg"), stem.with_suffix(".png")
    fig.savefig(svg, format="svg", metadata={"Date": None})
    fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    return [svg, png]
