"""The book's mark: a small forest plot on a blue tile, as logo and favicon.

A forest plot is how the book compares studies, so its mark is one: three
studies, each a confidence interval with its estimate (a square sized by the
study's weight), against a line of no effect. The mark is a handful of
rectangles on a 64-unit grid, written out twice from the one description:
as SVG (the logo and the favicon) and as PNG (for browsers that show no SVG
favicon, and for a phone's home screen). Run ``python -m lbclbook.toolchain.icons``
after changing the shapes; ``tests/test_chrome.py`` checks the files are current.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

ASSETS = Path(__file__).parent / "assets"
GRID = 64
TILE = "#1d4e89"  # a deep blue: white on it has a contrast of 8.6:1
INK = "#ffffff"
CORNER = 14
SVG_NAME = "lbcl-mark.svg"
PNG_SIZES = {"lbcl-mark-32.png": 32, "lbcl-mark-180.png": 180}  # favicon, touch icon


@dataclass(frozen=True)
class Bar:
    """A rectangle of the mark: left, top, width, height in grid units."""

    x: int
    y: int
    w: int
    h: int
    opacity: float = 1.0


def _study(low: int, high: int, estimate: int, middle: int, size: int) -> list[Bar]:
    """One row of the plot: the interval's line and the estimate's square."""
    return [Bar(low, middle - 1, high - low, 2),
            Bar(estimate - size // 2, middle - size // 2, size, size)]


SHAPES = [Bar(31, 9, 2, 46, opacity=0.55),  # the line of no effect
          *_study(10, 40, 24, 19, 10),
          *_study(24, 54, 40, 32, 12),
          *_study(28, 50, 41, 45, 8)]


def svg() -> str:
    """The mark as an SVG document."""
    bars = "\n".join(
        f'  <rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" fill="{INK}"'
        + (f' fill-opacity="{b.opacity}"' if b.opacity < 1 else "") + "/>"
        for b in SHAPES)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {GRID} {GRID}" '
            f'width="{GRID}" height="{GRID}">\n'
            f'  <rect width="{GRID}" height="{GRID}" rx="{CORNER}" fill="{TILE}"/>\n'
            f"{bars}\n</svg>\n")


def png(size: int) -> bytes:
    """The mark as a ``size`` x ``size`` PNG, drawn large and scaled down (smooth edges)."""
    scale = 16 * size // GRID or 1
    big = GRID * scale
    tile = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    ImageDraw.Draw(tile).rounded_rectangle((0, 0, big - 1, big - 1), CORNER * scale, fill=TILE)
    for bar in SHAPES:
        layer = Image.new("RGBA", (big, big), (0, 0, 0, 0))
        box = (bar.x * scale, bar.y * scale, (bar.x + bar.w) * scale - 1, (bar.y + bar.h) * scale - 1)
        ImageDraw.Draw(layer).rectangle(box, fill=(255, 255, 255, round(255 * bar.opacity)))
        tile = Image.alpha_composite(tile, layer)
    out = io.BytesIO()
    tile.resize((size, size), Image.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()


def files() -> dict[str, bytes]:
    """Every file of the mark, by name, as it should be in ``assets/``."""
    return {SVG_NAME: svg().encode("utf-8"),
            **{name: png(size) for name, size in PNG_SIZES.items()}}


def main() -> None:
    for name, content in files().items():
        (ASSETS / name).write_bytes(content)
        print(f"icons: wrote {(ASSETS / name).relative_to(ASSETS.parents[2])}")


if __name__ == "__main__":
    main()
