"""Shared fixtures: the repository, throw-away copies of it, one clean build.

Tests never modify the working tree: anything that builds or corrupts data
does so in a copy under pytest's tmp_path.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
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


@pytest.fixture(scope="session")
def clean_build_run(tmp_path_factory) -> tuple[Path, str]:
    """One clean, strict build with forced execution, from empty figures/.

    Returns the book's root and what the build printed. Shared by the build
    tests; tests that change the book copy this tree again before touching it.
    """
    root = copy_book(tmp_path_factory.mktemp("clean") / "book")
    shutil.rmtree(root / "figures")
    result = run_build(root, "--clean")
    if result.returncode != 0:
        pytest.fail(f"clean build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return root, result.stdout + result.stderr


@pytest.fixture(scope="session")
def clean_build(clean_build_run) -> Path:
    """The root of the clean build (see ``clean_build_run``)."""
    return clean_build_run[0]


def run_pdf_build(root: Path) -> subprocess.CompletedProcess:
    """``make pdf``'s command on an already built book at ``root``."""
    return subprocess.run([sys.executable, "-m", "lbclbook.toolchain.pdf"],
                          cwd=root, capture_output=True, text=True)


def copy_built_book(clean_build: Path, destination: Path) -> Path:
    """A copy of the clean build: sources, site and execution cache."""
    shutil.copytree(clean_build, destination, symlinks=True)
    return destination


@pytest.fixture(scope="session")
def pdf_build(clean_build, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the clean build after ``make pdf``: one LaTeX run per chapter.

    Returns the book's root and what the PDF build printed.
    """
    root = copy_built_book(clean_build, tmp_path_factory.mktemp("pdf") / "book")
    result = run_pdf_build(root)
    if result.returncode != 0:
        pytest.fail(f"PDF build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return root, result.stdout + result.stderr


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


# --------------------------------------------------------------------------
# What the checks counted (pages visited, mutations caught, ...), printed
# at the end of the run so that a pass can be read, not only trusted.

_COUNTED: list[str] = []


@pytest.fixture(scope="session")
def tell():
    """``tell("...")`` adds a line to the closing summary of the run."""
    return _COUNTED.append


def pytest_terminal_summary(terminalreporter):
    if _COUNTED:
        terminalreporter.section("what the checks counted")
        for line in _COUNTED:
            terminalreporter.write_line(line)
