"""Column widths for a table in a chapter PDF, worked out from what its cells hold.

Sphinx sets a table in one of two ways, and neither fits every table: with
``tabulary``, which measures the cells but cannot break across pages and lets
a long word run into the next column; or with ``longtable``, which breaks
across pages (repeating its header) but needs its column widths given. This
module gives them, the way a browser lays out a table whose widths are
"auto", measured in the fonts XeLaTeX will use:

1. Every column is at least as wide as its longest word, so no word runs out
   of its cell (LaTeX does not hyphenate in ragged-right cells).
2. A table that fits on the line in one row of text a cell keeps its natural
   widths. Otherwise the room left after step 1 goes to the columns in
   proportion to what each still needs to set its longest cell on one line:
   short columns (a count, an interval) stay on one line, long text wraps.
3. The table is set in small type; a table much wider than the line (its
   cells wrap to several lines) one size smaller, and a table whose longest
   words do not fit at a size, in the next size down.

:func:`layout` returns the size and the widths; :func:`colspec` turns them
into the column specification of Sphinx's ``tabularcolumns``. The writer is
:mod:`lbclbook.toolchain.pdfext`.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont

# The faces Sphinx sets cells in with XeLaTeX: body cells in the serif,
# header cells in the sans (\sphinxstyletheadfamily is \sffamily).
BODY_FONT = "FreeSerif.otf"
HEADER_FONT = "FreeSans.otf"

# LaTeX's type sizes under an 11 pt document class (size11.clo): name, size
# and baseline skip in pt, largest first. Tables start one size below the text.
SIZES = [("small", 10.0, 12.0), ("footnotesize", 9.0, 11.0), ("scriptsize", 8.0, 9.5)]
# How much wider than the line a table's one-line rows may add up to in
# small type: a wider table is set a size smaller, where it wraps less.
CROWDED = 3.0
TABCOLSEP = 4.0   # pt of space each side of a cell (LaTeX's default is 6)
SLACK = 1.04      # measured widths are a little short of what TeX sets (kerning aside)


@dataclass(frozen=True)
class Column:
    header: str
    cells: tuple[str, ...]
    right: bool = False  # numbers: set flush right, digits under digits


@dataclass(frozen=True)
class Layout:
    size: str                  # a LaTeX size command's name: "small"
    widths: tuple[float, ...]  # each column's share of the line, cell padding included
    lines: int                 # text lines the table takes, header included
    baselineskip: float        # pt, at this size

    @property
    def height(self) -> float:
        """The table's height in pt, near enough to decide whether it may break."""
        return self.lines * self.baselineskip


# --------------------------------------------------------------------------
# Measuring text


@lru_cache(maxsize=None)
def _advances(font_file: str) -> tuple[dict[int, float], float]:
    """{code point: advance width in em} for a font TeX can find, and the
    width of a character the font lacks (its average)."""
    path = subprocess.run(["kpsewhich", font_file], capture_output=True, text=True,
                          check=True).stdout.strip()
    font = TTFont(path, lazy=True)
    per_em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return widths, sum(widths.values()) / len(widths)


def text_width(text: str, size: float, font_file: str = BODY_FONT) -> float:
    """Width in pt of ``text`` set on one line in ``font_file`` at ``size`` pt."""
    widths, missing = _advances(font_file)
    return SLACK * size * sum(widths.get(ord(c), missing) for c in text)


# A line may break at a space, or after a hyphen or a dash (Sphinx sets "-"
# as \sphinxhyphen, which allows one); a non-breaking space holds.
_BREAK = re.compile(r"(?<=[-\u2010\u2013\u2014])|[ \t\n]+")


def words(text: str) -> list[str]:
    """The pieces a line of ``text`` may break between."""
    return [w for w in _BREAK.split(text) if w]


def lines_needed(text: str, width: float, size: float, font_file: str = BODY_FONT) -> int:
    """How many lines ``text`` takes in a column ``width`` pt wide (filled greedily)."""
    space = text_width(" ", size, font_file)
    lines, used = 1, 0.0
    for word in words(text):
        w = text_width(word, size, font_file)
        if used and used + space + w > width:
            lines, used = lines + 1, w
        else:
            used += (space if used else 0.0) + w
    return lines


# --------------------------------------------------------------------------
# Laying out


def _measure(column: Column, size: float) -> tuple[float, float]:
    """(longest word, longest cell on one line) of ``column``, in pt."""
    texts = [(column.header, HEADER_FONT), *((c, BODY_FONT) for c in column.cells)]
    longest_word = max((text_width(w, size, font) for text, font in texts
                        for w in words(text)), default=0.0)
    one_line = max((text_width(text, size, font) for text, font in texts), default=0.0)
    return longest_word, max(one_line, longest_word)


def share_room(least: list[float], natural: list[float], room: float) -> list[float]:
    """Column widths in pt: each at least ``least``, the room left shared in
    proportion to what each column lacks to reach ``natural``."""
    if sum(natural) <= room:
        return list(natural)
    spare = room - sum(least)
    lacking = [n - m for m, n in zip(least, natural)]
    return [m + spare * lack / sum(lacking) for m, lack in zip(least, lacking)]


def layout(columns: list[Column], line_width: float) -> Layout:
    """The size and column widths for ``columns`` on a line ``line_width`` pt wide."""
    room = line_width - 2 * TABCOLSEP * len(columns)
    for index, (name, size, skip) in enumerate(SIZES):
        measured = [_measure(c, size) for c in columns]
        least = [m for m, _ in measured]
        natural = [n for _, n in measured]
        last = index == len(SIZES) - 1
        roomy = index > 0 or sum(natural) <= CROWDED * room
        if last or (sum(least) <= room and roomy):
            widths = share_room(least, natural, max(room, sum(least)))
            return Layout(name, tuple((w + 2 * TABCOLSEP) / line_width for w in widths),
                          _lines(columns, widths, size), skip)
    raise AssertionError("unreachable: the last size is always taken")


def _lines(columns: list[Column], widths: list[float], size: float) -> int:
    header = max(lines_needed(c.header, w, size, HEADER_FONT) for c, w in zip(columns, widths))
    rows = zip(*(c.cells for c in columns))
    return header + sum(max(lines_needed(text, w, size) for text, w in zip(row, widths))
                        for row in rows)


def colspec(columns: list[Column], table: Layout) -> str:
    r"""The ``tabularcolumns`` specification: ragged cells of the given widths
    (Sphinx's ``\Y{share}``), numbers flush right."""
    specs = []
    for column, share in zip(columns, table.widths):
        ragged = r"\raggedleft" if column.right else r"\raggedright"
        specs.append(rf">{{{ragged}\arraybackslash}}\Y{{{math.floor(share * 1e4) / 1e4:.4f}}}")
    return "".join(specs)
