"""The site's chrome (lbclbook.toolchain.chrome): its assets, and their publication.

How the chrome behaves in a browser (menus, tables, print, glued numbers,
icons) is tested on the built site in tests/test_browser.py.
"""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET

from PIL import Image

from lbclbook.toolchain import icons
from lbclbook.toolchain.chrome import SCRIPT, STYLESHEET, assets_unpublished


def test_the_mark_files_are_what_the_icons_module_draws():
    for name, content in icons.files().items():
        assert (icons.ASSETS / name).read_bytes() == content, (
            f"{name} is stale: run `python -m lbclbook.toolchain.icons`")


def test_the_mark_is_a_square_svg_and_pngs_of_their_stated_size():
    svg = ET.fromstring(icons.svg())
    assert svg.get("viewBox") == f"0 0 {icons.GRID} {icons.GRID}"
    for name, size in icons.PNG_SIZES.items():
        image = Image.open(io.BytesIO(icons.png(size)))
        assert image.size == (size, size), name
        # white ink on the tile, with the tile's colours besides: the mark is drawn
        colours = {rgba[:3] for _, rgba in image.convert("RGBA").getcolors(size * size)}
        assert (255, 255, 255) in colours and len(colours) > 2, name


def test_the_mark_stays_inside_its_tile():
    for bar in icons.SHAPES:
        assert 0 < bar.x and bar.x + bar.w < icons.GRID, bar
        assert 0 < bar.y and bar.y + bar.h < icons.GRID, bar


def test_an_edited_or_missing_asset_is_found_unpublished(tmp_path):
    static = tmp_path / "_static"
    shutil.copytree(icons.ASSETS, static)
    assert assets_unpublished(tmp_path) == []
    (static / STYLESHEET).write_text("/* an older stylesheet */")
    (static / SCRIPT).unlink()
    assert assets_unpublished(tmp_path) == sorted([SCRIPT, STYLESHEET])
