"""The book builds strictly and reproducibly, and bad input never reaches a page.

One clean build (forced execution, empty figures/) is shared; tests that
change something work on their own copy of that built tree.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lbclbook.toolchain.build import SITE, executed_notebooks
from lbclbook.data import table_names
from lbclbook.toolchain.execute import executable_pages
from lbclbook.toolchain.stamps import lists_figures, tables_read

from conftest import DATA_EDIT, ROOT, run_build, site_files

# A page executed by MyST-NB while Sphinx reads it, or before, by lbclbook.toolchain.execute.
EXECUTING = re.compile(r"/([\w/-]+)\.md: Executing notebook|lbclbook\.toolchain\.execute: ([\w/-]+)\.md: executed")


class Page(HTMLParser):
    """What a test needs from one HTML page: images and external references."""

    def __init__(self, path: Path):
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.references: list[str] = []
        self.feed(path.read_text("utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag == "link" and attrs.get("rel") == "canonical":
            return  # names the page's public address; browsers do not fetch it
        for key in ("src", "href"):
            if tag in ("script", "link", "img", "iframe") and attrs.get(key):
                self.references.append(attrs[key])


def pages(root: Path) -> list[Path]:
    return sorted((root / SITE).rglob("*.html"))


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_built(clean_build: Path, tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(clean_build, root)
    return root


def test_clean_build_publishes_every_page(clean_build):
    site = clean_build / SITE
    for page in ["index.html", "intro.html", "chapters/failure-after-car-t.html",
                 "search.html"]:
        assert (site / page).is_file(), page


def test_chapter_shows_its_tables_and_figures_from_data(clean_build):
    html = (clean_build / SITE / "chapters" / "failure-after-car-t.html").read_text()
    assert html.count("<table") >= 3
    assert len(re.findall(r'<figure class="align-default" id="fig-', html)) >= 4
    # A number glued from data/survival.csv (Chow 2019 median OS).
    assert '<span class="pasted-text">5.3</span>' in html


def test_every_image_has_meaningful_alt_text_and_exists(clean_build):
    site = clean_build / SITE
    checked = 0
    for page in pages(clean_build):
        for image in Page(page).images:
            if "logo" in image.get("class", ""):
                continue
            assert len(image.get("alt", "")) >= 40, (page.name, image)
            assert (page.parent / image["src"]).resolve().is_file(), image["src"]
            checked += 1
    assert checked >= 4


def test_no_page_requests_anything_from_another_host(clean_build):
    for page in pages(clean_build):
        external = [r for r in Page(page).references
                    if re.match(r"^(https?:)?//", r)]
        assert not external, (page.name, external)


def test_nbval_reproduces_the_executed_notebooks_images_included(nbval_run):
    # Run in the background on a copy of the clean build (conftest.py).
    root, result = nbval_run
    notebooks = executed_notebooks(root)
    outputs = sum(len(cell.get("outputs", [])) for path in notebooks.rglob("*.ipynb")
                  for cell in json.loads(path.read_text())["cells"])
    pngs = sum(path.read_text().count('"image/png"') for path in notebooks.rglob("*.ipynb"))
    assert outputs > 50 and pngs >= 10  # nbval must have outputs, figures among them, to compare
    assert result.returncode == 0, result.stdout[-4000:]
    assert re.search(r"\d+ passed", result.stdout)


def test_figures_folder_is_what_the_build_regenerates(clean_build):
    # The clean build started from an empty figures/: it must recreate the
    # committed files byte for byte, and nothing else.
    regenerated = snapshot(clean_build / "figures")
    committed = snapshot(ROOT / "figures")
    assert regenerated.keys() == committed.keys()
    changed = [name for name in regenerated if regenerated[name] != committed[name]]
    assert not changed, f"figures/ differs from what the build makes: {changed}"


def test_no_op_rebuild_executes_nothing(clean_build, tmp_path):
    root = copy_built(clean_build, tmp_path)
    before = snapshot(root / SITE)
    result = run_build(root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not EXECUTING.findall(result.stdout + result.stderr)
    # Nothing changed since the last good build: it stops before validating,
    # executing or starting Sphinx, and leaves the site as it was.
    assert "nothing changed since the last good build" in result.stdout
    assert "Running Sphinx" not in result.stdout + result.stderr
    assert snapshot(root / SITE) == before
    # A site changed since (by make pdf, or by hand) is built and published again.
    (root / SITE / "stray.html").write_text("not built")
    result = run_build(root)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "nothing changed" not in result.stdout
    assert not EXECUTING.findall(result.stdout + result.stderr)
    assert site_files(root / SITE) == site_files(clean_build / SITE)


def test_an_incremental_build_publishes_the_site_of_a_clean_build(clean_build, tmp_path):
    # After a prose edit Sphinx writes only the pages that changed; the site
    # it publishes must still be a whole one, the sitemap listing every page.
    root = copy_built(clean_build, tmp_path)
    clean = site_files(clean_build / SITE)
    chapter = root / "chapters" / "radiotherapy.md"
    good = chapter.read_text("utf-8")
    title = re.search(r"^# .*$", good, re.MULTILINE).group(0)
    chapter.write_text(good.replace(title, f"{title}\n\nA sentence added by a test.", 1), "utf-8")
    result = run_build(root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    rebuilt = re.search(r"targets for (\d+) source files? that (?:are|is) out of date", result.stdout)
    assert rebuilt and int(rebuilt.group(1)) < len(clean_pages := pages(clean_build)) - 5, (
        "not an incremental build", len(clean_pages))
    edited = site_files(root / SITE)
    assert edited["sitemap.xml"] == clean["sitemap.xml"]
    assert edited.keys() == clean.keys()
    differ = {name for name in clean if edited[name] != clean[name]}
    assert "chapters/radiotherapy.html" in differ
    assert {name for name in differ if "radiotherapy" not in name} <= {"searchindex.js"}
    # The edit undone, the next incremental build publishes the clean build's site.
    chapter.write_text(good, "utf-8")
    assert run_build(root).returncode == 0
    again = site_files(root / SITE)
    assert again.keys() == clean.keys()
    assert [name for name in clean if again[name] != clean[name]] == []


def test_data_edit_reaches_the_page_and_reexecutes_only_its_readers(data_edit_build):
    # survival.csv edited in a copy of the clean build, built (conftest.py)
    root, result = data_edit_build
    assert DATA_EDIT[1] in (root / "data" / "survival.csv").read_text()
    assert result.returncode == 0, result.stderr[-2000:]
    # Every executable page that reads the table: the cases and the data
    # appendix (which loads every table) as well as the chapters.
    readers = {page.relative_to(root).with_suffix("").as_posix()
               for page in executable_pages(root)
               if "survival" in tables_read(page.read_text(), table_names(root))}
    # The edit redraws a figure whose alt text gives the median, so the pages
    # that show the figures' records (the gallery, the teachers' page) run too.
    assert (root / "figures" / "failure-after-car-t-median-os.json").read_bytes() != (
        ROOT / "figures" / "failure-after-car-t-median-os.json").read_bytes()
    readers |= {page.relative_to(root).with_suffix("").as_posix()
                for page in executable_pages(root) if lists_figures(page.read_text())}
    executed = {"".join(groups) for groups in EXECUTING.findall(result.stdout + result.stderr)}
    assert len(readers) >= 3
    assert {name.split(f"{root.name}/", 1)[-1] for name in executed} == readers
    html = (root / SITE / "chapters" / "failure-after-car-t.html").read_text()
    assert '<span class="pasted-text">7.7</span>' in html
    assert '<span class="pasted-text">5.3</span> months for all' not in html


def test_bad_data_stops_the_build_and_keeps_the_last_good_site(clean_build, tmp_path):
    root = copy_built(clean_build, tmp_path)
    before = snapshot(root / SITE)
    proportions = root / "data" / "proportions.csv"
    proportions.write_text(proportions.read_text().replace(",46,61,75,", ",70,61,75,", 1))
    result = run_build(root)
    assert result.returncode != 0
    assert "data/proportions.csv, row 2, column 'events'" in result.stderr
    assert "events-at-most-n" in result.stderr
    assert "Executing notebook" not in result.stdout  # stopped before building
    assert snapshot(root / SITE) == before


def test_a_failing_cell_fails_the_build_and_keeps_the_last_good_site(clean_build, tmp_path):
    root = copy_built(clean_build, tmp_path)
    before = snapshot(root / SITE)
    chapter = root / "chapters" / "failure-after-car-t.md"
    chapter.write_text(chapter.read_text().replace(
        'CHAPTER = "failure-after-car-t"', 'CHAPTER = "failure-after-car-t"\n1 / 0', 1))
    result = run_build(root)
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr
    assert snapshot(root / SITE) == before


def test_a_warning_fails_every_build_until_it_is_fixed(clean_build, tmp_path):
    # Sphinx saves its environment even when -W failed the build; without
    # care the second build would find nothing to do and pass.
    root = copy_built(clean_build, tmp_path)
    intro = root / "intro.md"
    good = intro.read_text()
    intro.write_text(good + "\nSee {doc}`chapters/no-such-chapter`.\n")
    assert run_build(root).returncode != 0
    second = run_build(root)
    assert second.returncode != 0
    assert "no-such-chapter" in second.stdout + second.stderr
    intro.write_text(good)
    assert run_build(root).returncode == 0
