"""Shared fixtures: the repository, throw-away copies of it, one clean build.

Tests never modify the working tree: anything that builds or corrupts data
does so in a copy under pytest's tmp_path.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__",
                                    ".pytest_cache", "*.egg-info", "node_modules")


def copy_book(destination: Path) -> Path:
    """A copy of the book's sources (no build output, no venv, no git)."""
    shutil.copytree(ROOT, destination, ignore=NOT_COPIED)
    return destination


def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``make book``'s command on the book at ``root``."""
    return subprocess.run([sys.executable, "-m", "lbclbook.toolchain.build", *args],
                          cwd=root, capture_output=True, text=True)


# What differs between two correct builds of the same sources: the day (the
# footer says "Last updated on <date>": html_last_updated_fmt "" means Sphinx's
# default format, not off) and the ?v=<checksum> query that Sphinx adds to a
# stylesheet link only if the file was already there when the page was written
# (so on an incremental build, not on a clean one).
VOLATILE_IN_PAGES = [re.compile(rb"Last updated on [^<]*"), re.compile(rb"\?v=[0-9a-f]+")]


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site, with what is volatile in pages blanked."""
    files = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        content = path.read_bytes()
        for volatile in VOLATILE_IN_PAGES:
            content = volatile.sub(b"", content)
        files[path.relative_to(site).as_posix()] = content
    return files


@pytest.fixture
def book_copy(tmp_path: Path) -> Path:
    """A fresh copy of the sources, to corrupt or edit at will."""
    return copy_book(tmp_path / "book")


@pytest.fixture
def in_book(book_copy, monkeypatch):
    """A fresh copy of the sources as the working directory, for code that
    finds the book from where it runs (as chapters do)."""
    monkeypatch.chdir(book_copy)
    return book_copy


# --------------------------------------------------------------------------
# Builds shared by the whole run. One clean build, alone, first; as soon as it
# is done, the slow jobs that need only it (or nothing) start in the
# background, two at a time (the machines have two cores), each in a folder
# of its own, while the tests go on: a build with edited data, strict nbval,
# the hostile-input build, the chapter PDFs (twice, one after the other), a
# second clean build elsewhere. Only the jobs some selected test uses are run.

BACKGROUND_WORKERS = 2
_NEEDED: set[str] = set()      # fixtures the selected tests use
_JOBS: dict[str, Future] = {}
_TIMES: dict[str, float] = {}


def _timed(name: str, job, *args):
    started = time.monotonic()
    try:
        return job(*args)
    finally:
        _TIMES[name] = time.monotonic() - started


class Background:
    """Shared slow jobs, run ``BACKGROUND_WORKERS`` at a time beside the tests."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.pool = ThreadPoolExecutor(max_workers=BACKGROUND_WORKERS,
                                       thread_name_prefix="build")
        self.clean: Path | None = None

    def start(self, clean: Path | None) -> None:
        """Start, in this order, the jobs the selected tests use (those that
        need the clean build only once there is one)."""
        self.clean = clean
        mktemp = self.tmp.mktemp
        jobs = [("data_edit_build", True, _data_edit_build, "data-edit"),
                ("nbval_run", True, _nbval_run, "nbval"),
                ("hostile", False, _hostile_build, "hostile"),
                ("pdf_builds", True, _pdf_builds, "pdf"),
                ("second_clean_build", False, _clean_build, "second")]
        for name, needs_clean, job, folder in jobs:
            if name in _NEEDED and name not in _JOBS and (clean or not needs_clean):
                args = (clean, mktemp(folder)) if needs_clean else (mktemp(folder),)
                _JOBS[name] = self.pool.submit(_timed, name, job, *args)

    def __call__(self, name: str):
        """The job's result, once it is done."""
        if name not in _JOBS:  # no clean build in this run, or not foreseen
            _NEEDED.add(name)
            self.start(self.clean)
        return _JOBS[name].result()


@pytest.fixture(scope="session")
def background(tmp_path_factory):
    """``background(name)``: the result of a shared slow job (see above)."""
    jobs = Background(tmp_path_factory)
    yield jobs
    jobs.pool.shutdown(wait=True, cancel_futures=True)


def _clean_build(folder: Path) -> Path:
    root = copy_book(folder / "elsewhere" / "book")
    shutil.rmtree(root / "figures")
    result = run_build(root, "--clean")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root


def _data_edit_build(clean: Path, folder: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """A copy of the clean build, survival.csv edited (Chow 2019's median OS), built."""
    root = copy_built_book(clean, folder / "book")
    survival = root / "data" / "survival.csv"
    survival.write_text(survival.read_text().replace(*DATA_EDIT))
    return root, run_build(root)


DATA_EDIT = ("chow2019,progressed after CD19 CAR-T,61,OS,median,5.3,",
             "chow2019,progressed after CD19 CAR-T,61,OS,median,7.7,")
NBVAL_PLUGIN = ROOT / "tests" / "nbval"


def _nbval_run(clean: Path, folder: Path) -> tuple[Path, subprocess.CompletedProcess]:
    """Strict nbval on a copy of the clean build's executed notebooks (running
    them writes figures/ of the book it finds, so not the shared one)."""
    from lbclbook.toolchain.build import executed_notebooks

    root = copy_built_book(clean, folder / "book")
    notebooks = executed_notebooks(root)
    return root, subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "-p", "compare_images",
         "--nbval-sanitize-with", str(NBVAL_PLUGIN / "sanitize.cfg"),
         "-p", "no:cacheprovider", "-q", "--rootdir", str(notebooks), str(notebooks)],
        cwd=notebooks, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(NBVAL_PLUGIN), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)})


def _hostile_build(folder: Path) -> tuple[Path, int, subprocess.CompletedProcess]:
    from test_hostile_input import add_probe_page, poison

    root = copy_book(folder / "book")
    cells = poison(root)
    add_probe_page(root)
    return root, cells, run_build(root)


# The second PDF build, in another folder and later, typesets one chapter:
# the one with the most kinds of content (figures, wide tables, every kind of
# reference), enough to show that no path and no clock reaches a PDF, for an
# eighth of the time.
REPRODUCED_PDF = "synthesis"


def _pdf_builds(clean: Path, folder: Path):
    """``make pdf`` on a copy of the clean build; then, later, ``REPRODUCED_PDF``
    alone on another copy."""
    first = copy_built_book(clean, folder / "book")
    second = copy_built_book(clean, folder / "again" / "book")
    return [(first, run_pdf_build(first)),
            (second, run_pdf_build(second, "--chapter", REPRODUCED_PDF))]


@pytest.fixture(scope="session")
def clean_build_run(tmp_path_factory, background) -> tuple[Path, str]:
    """One clean, strict build with forced execution, from empty figures/.

    Returns the book's root and what the build printed. Shared by the build
    tests; tests that change the book copy this tree again before touching it.
    Built alone (its time is the unit `make test` is measured in); the
    background jobs start when it is done.
    """
    root = copy_book(tmp_path_factory.mktemp("clean") / "book")
    shutil.rmtree(root / "figures")
    started = time.monotonic()
    result = run_build(root, "--clean")
    _TIMES["clean build"] = time.monotonic() - started
    if result.returncode != 0:
        pytest.fail(f"clean build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    background.start(root)
    return root, result.stdout + result.stderr


@pytest.fixture(scope="session")
def clean_build(clean_build_run) -> Path:
    """The root of the clean build (see ``clean_build_run``)."""
    return clean_build_run[0]


def run_pdf_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``make pdf``'s command on an already built book at ``root``."""
    return subprocess.run([sys.executable, "-m", "lbclbook.toolchain.pdf", *args],
                          cwd=root, capture_output=True, text=True)


def copy_built_book(clean_build: Path, destination: Path) -> Path:
    """A copy of the clean build: sources, site and execution cache."""
    shutil.copytree(clean_build, destination, symlinks=True)
    return destination


@pytest.fixture(scope="session")
def data_edit_build(clean_build, background) -> tuple[Path, subprocess.CompletedProcess]:
    """A copy of the clean build after an edit of survival.csv and a build
    (``DATA_EDIT``). Read it; copy it before changing it."""
    return background("data_edit_build")


@pytest.fixture(scope="session")
def nbval_run(clean_build, background) -> tuple[Path, subprocess.CompletedProcess]:
    """Strict nbval on the clean build's executed notebooks: (the copy, the run)."""
    return background("nbval_run")


@pytest.fixture(scope="session")
def pdf_builds(clean_build, background) -> list[tuple[Path, subprocess.CompletedProcess]]:
    """``make pdf`` on two copies of the clean build, one after the other."""
    return background("pdf_builds")


@pytest.fixture(scope="session")
def pdf_build(pdf_builds) -> tuple[Path, str]:
    """A copy of the clean build after ``make pdf``: one LaTeX run per chapter.

    Returns the book's root and what the PDF build printed.
    """
    root, result = pdf_builds[0]
    if result.returncode != 0:
        pytest.fail(f"PDF build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return root, result.stdout + result.stderr


@pytest.fixture(scope="session")
def second_clean_build(clean_build, background) -> Path:
    """A second clean build of the same sources, in another folder."""
    return background("second_clean_build")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (see tests/sitebrowser.py)."""
    from playwright.sync_api import sync_playwright

    from sitebrowser import launch

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


# --------------------------------------------------------------------------
# Tiers: `make check` runs the tests that need no book build (-m "not build").
# A test is marked `build` if it uses a built book or the browser, or says so.

NEEDS_A_BUILD = {"clean_build_run", "pdf_build", "browser", "hostile"}


def pytest_collection_modifyitems(items):
    for item in items:
        if NEEDS_A_BUILD & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


_SESSION_STARTED = [time.monotonic()]


def pytest_sessionstart(session):
    _SESSION_STARTED[0] = time.monotonic()


def pytest_collection_finish(session):
    """Note which shared jobs the selected tests use (only those are run)."""
    for item in session.items:
        _NEEDED.update(getattr(item, "fixturenames", ()))


# --------------------------------------------------------------------------
# What the checks counted (pages visited, mutations caught, ...), printed
# at the end of the run so that a pass can be read, not only trusted.

_COUNTED: list[str] = []


@pytest.fixture(scope="session")
def tell():
    """``tell("...")`` adds a line to the closing summary of the run."""
    return _COUNTED.append


def pytest_terminal_summary(terminalreporter):
    if "clean build" in _TIMES:
        lines = [f"{name}: {seconds:.0f} s" for name, seconds in _TIMES.items()]
        whole = time.monotonic() - _SESSION_STARTED[0]
        lines.append(f"whole run: {whole:.0f} s = "
                     f"{whole / _TIMES['clean build']:.1f}x the clean build")
        terminalreporter.section("shared builds")
        for line in lines:
            terminalreporter.write_line(line)
    if _COUNTED:
        terminalreporter.section("what the checks counted")
        for line in _COUNTED:
            terminalreporter.write_line(line)
