"""The figure gallery: every figure's record (chapter, number, caption, alt
text), its print PNG, the per-chapter zips, and, in the built site, the page
that lists every figure once with both downloads and each chapter's zip."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from pathlib import Path

import pytest

from lbclbook import gallery, plots, toc

from conftest import ROOT

FIGURES = ROOT / "figures"
RECORDS = sorted(FIGURES.glob("*.json"))
METRES_PER_INCH = 0.0254


def png_phys_dpi(path: Path) -> tuple[float, float] | None:
    """The resolution in a PNG's pHYs chunk, read from the bytes (dots per inch)."""
    data = path.read_bytes()
    position = 8  # after the signature
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", data[position + 8:position + 17])
            assert unit == 1, "pHYs unit is not the metre"
            return x * METRES_PER_INCH, y * METRES_PER_INCH
        if kind == b"IDAT":
            return None  # pHYs must come before the image data
        position += 12 + length
    return None


def test_there_are_figures():
    assert len(RECORDS) >= 10


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.stem)
def test_every_figure_records_its_chapter_number_caption_and_alt_text(record):
    found = json.loads(record.read_text("utf-8"))
    numbers = toc.chapter_numbers(ROOT)
    assert found["chapter"] in numbers and record.stem.startswith(found["chapter"] + "-")
    assert len(found["alt"]) >= plots.MIN_ALT_LENGTH and found["caption"].strip()
    assert re.fullmatch(rf"{numbers[found['chapter']]}\.[1-9]\d*", found["number"])


@pytest.mark.parametrize("png", sorted(FIGURES.glob("*.png")), ids=lambda p: p.stem)
def test_every_png_is_for_print_300_dpi_and_at_least_1800_px_wide(png):
    width, _ = gallery.png_size(png)
    assert width >= plots.PRINT_MIN_PX, (png.name, width)
    dpi = png_phys_dpi(png)
    assert dpi and all(abs(d - plots.PRINT_DPI) < 0.1 for d in dpi), (png.name, dpi)


def test_figures_are_numbered_one_to_n_in_each_chapter():
    for slug, figs in gallery.by_chapter(ROOT).items():
        assert [f.number for f in figs] == [f"{toc.chapter_numbers(ROOT)[slug]}.{i}"
                                            for i in range(1, len(figs) + 1)], slug


def test_every_figure_is_in_the_gallery_once():
    listed = [f.stem for figs in gallery.by_chapter(ROOT).values() for f in figs]
    assert sorted(listed) == sorted(p.stem for p in FIGURES.glob("*.svg"))


def test_a_figure_is_cited_as_its_chapter_and_its_number():
    figure = gallery.figures(ROOT)[0]
    cited = gallery.figure_citation(figure, ROOT)
    assert f" {figure.label}. " in cited and cited.endswith(f"#fig-{figure.stem}")
    assert toc.title(figure.chapter, ROOT) in cited


@pytest.mark.parametrize("slug", list(gallery.by_chapter(ROOT)))
def test_a_chapter_zip_holds_exactly_its_figures_and_a_readme(slug):
    figs = gallery.by_chapter(ROOT)[slug]
    archive = zipfile.ZipFile(io.BytesIO(gallery.chapter_zip(slug, ROOT)))
    expected = {f"{f.stem}.{suffix}" for f in figs for suffix in ("svg", "png")}
    assert set(archive.namelist()) == expected | {"README.txt"}
    for figure in figs:
        assert archive.read(f"{figure.stem}.png") == figure.path("png", ROOT).read_bytes()
    readme = archive.read("README.txt").decode("utf-8")
    flat = " ".join(readme.split())
    for figure in figs:
        assert figure.caption in flat and figure.alt in flat
        assert gallery.figure_citation(figure, ROOT) in flat


def test_a_chapter_zip_is_the_same_bytes_every_time():
    slug = next(iter(gallery.by_chapter(ROOT)))
    first = gallery.chapter_zip(slug, ROOT)
    assert first == gallery.chapter_zip(slug, ROOT)
    dates = {info.date_time for info in zipfile.ZipFile(io.BytesIO(first)).infolist()}
    assert dates == {gallery.ZIP_TIME}


def test_a_figure_without_its_record_is_named(tmp_path):
    (tmp_path / "x-y.json").write_text(json.dumps({"width_pt": 1, "height_pt": 1}))
    with pytest.raises(ValueError, match="x-y.json: no chapter, caption, alt"):
        gallery._read(tmp_path / "x-y.json")


# --------------------------------------------------------------------------
# In the built site


def test_gallery_lists_every_figure_once_with_both_downloads_and_each_chapter_zip(clean_build, tell):
    from bs4 import BeautifulSoup

    from lbclbook.toolchain.build import SITE

    site = clean_build / SITE
    page = BeautifulSoup((site / "gallery.html").read_text("utf-8"), "html.parser")
    main = page.select_one("main")
    figs = gallery.figures(clean_build)
    stems = sorted(f.stem for f in figs)
    assert stems == sorted(p.stem for p in (clean_build / "figures").glob("*.svg"))
    thumbnails = [Path(img["src"]).stem for img in main.select("img")]
    assert sorted(thumbnails) == stems  # each figure once
    for img in main.select("img"):
        # Lazy, and sized before it loads: the page does not jump as images arrive.
        assert img.get("loading") == "lazy", img
        assert re.search(r"width: \d+px; height: \d+px", img.get("style", "")), img
        assert len(img["alt"]) >= plots.MIN_ALT_LENGTH, img
    downloads = [a["href"] for a in main.select("a.download")]
    for suffix in ("svg", "png"):
        linked = sorted(Path(h).stem for h in downloads if h.endswith(f".{suffix}"))
        assert linked == stems, suffix
    for href in downloads:
        served = (site / href).resolve()
        assert served.read_bytes() == (clean_build / "figures" / Path(href).name).read_bytes()
    zips = [a["href"] for a in main.select("a.figures-zip")]
    assert sorted(zips) == sorted(gallery.zip_name(slug) for slug in gallery.by_chapter(clean_build))
    for href in zips:
        slug = Path(href).name.removesuffix("-figures.zip")
        archive = zipfile.ZipFile(site / href)
        chapter = {f.stem for f in figs if f.chapter == slug}
        assert {Path(n).stem for n in archive.namelist() if n != "README.txt"} == chapter
    # The number the gallery gives is the number the chapter's page shows.
    for figure in figs:
        chapter_page = BeautifulSoup((site / "chapters" / f"{figure.chapter}.html")
                                     .read_text("utf-8"), "html.parser")
        shown = chapter_page.find(id=f"fig-{figure.stem}")
        assert shown is not None, figure.stem
        # The page writes "Fig. 1.1"; the gallery and citations "Figure 1.1".
        assert shown.select_one(".caption-number").get_text(strip=True) == \
            f"Fig. {figure.number}", figure.stem
    tell(f"gallery: {len(figs)} figures once each, {len(downloads)} downloads and "
         f"{len(zips)} chapter zips resolve; numbers match the chapter pages")
