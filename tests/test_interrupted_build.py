"""A build that is killed keeps the last good site, and the next one is right.

The test starts from a built copy of the book whose data was edited and
built (so its site, execution cache and Sphinx environment all hold the
edit), puts the data back, and kills ``make book``'s command, with its whole
process group, at chosen points of the builds it then starts. The site must
be untouched, and the next complete build must give the pages of a clean
build of the same sources: nothing stale from the edit, nothing broken in the cache.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from lbclbook.toolchain import build
from lbclbook.toolchain.build import FAILED, SITE

from conftest import DATA_EDIT, run_build, site_files
from test_build import snapshot

EDIT = DATA_EDIT  # the edit of data_edit_build (conftest.py)
EXECUTING = "lbclbook.toolchain.execute: executing"  # the kernels are starting (lbclbook.toolchain.execute)
ENVIRONMENT_SAVED = "pickling environment"  # Sphinx saved what it read; no page written yet


def edit_survival(root: Path, old: str, new: str) -> None:
    path = root / "data" / "survival.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def built_with_edit(data_edit_build, tmp_path) -> Path:
    """A built copy whose last build had edited data; the data now restored."""
    edited, result = data_edit_build  # the clean build, EDIT made and built (conftest.py)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    root = tmp_path / "book"
    shutil.copytree(edited, root, symlinks=True)
    edit_survival(root, *reversed(EDIT))
    return root


def start_build(root: Path) -> subprocess.Popen:
    """``make book``'s command in a process group of its own, output unbuffered."""
    return subprocess.Popen([sys.executable, "-m", "lbclbook.toolchain.build"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def interrupt_at(process: subprocess.Popen, marker: str, sig: signal.Signals) -> None:
    """Send ``sig`` to the build's process group when its output shows ``marker``."""
    output = []
    for line in process.stdout:
        output.append(line)
        if marker in line:
            os.killpg(process.pid, sig)
            break
    else:
        pytest.fail(f"the build ended before {marker!r}:\n{''.join(output)[-3000:]}")
    process.wait(timeout=120)
    process.stdout.close()
    end_group(process.pid)
    assert process.returncode == -sig


def end_group(group: int) -> None:
    """Wait (bounded) for the group's other processes, a kernel among them."""
    members = [p for p in psutil.process_iter() if _running_in(p, group)]
    _, alive = psutil.wait_procs(members, timeout=60)
    for process in alive:
        process.kill()


def _running_in(process: psutil.Process, group: int) -> bool:
    try:
        return (os.getpgid(process.pid) == group
                and process.status() != psutil.STATUS_ZOMBIE)
    except (ProcessLookupError, psutil.Error):
        return False


def assert_same_pages(site: Path, reference: Path) -> None:
    got, expected = site_files(site), site_files(reference)
    assert got.keys() == expected.keys()
    differ = [name for name in got if got[name] != expected[name]]
    assert not differ, f"differ from a clean build: {differ}"


# Where a build is killed, in turn, on the same copy: the kernels starting
# (politely, then not), and the dangerous moment when Sphinx has recorded the
# restored data as read but written no page: a next build that trusted that
# record would find nothing to do and publish the stale pages of the edit.
# Each kill must leave the site untouched and the build marked failed; the one
# build after all three must give a clean build's pages. (One recovery for
# three kills: a cache or environment left broken by any of them reaches it.)
INTERRUPTIONS = [(EXECUTING, signal.SIGTERM), (EXECUTING, signal.SIGKILL),
                 (ENVIRONMENT_SAVED, signal.SIGKILL)]


def test_builds_killed_at_any_point_keep_the_site_and_the_next_build_is_clean(
        built_with_edit, clean_build):
    root = built_with_edit
    before = snapshot(root / SITE)
    for marker, sig in INTERRUPTIONS:
        where = f"killed by {sig.name} at {marker!r}"
        interrupt_at(start_build(root), marker, sig)
        assert snapshot(root / SITE) == before, f"{where}: the last good site changed"
        assert (root / FAILED).exists(), f"{where}: an interrupted build must count as failed"
    result = run_build(root)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_same_pages(root / SITE, clean_build / SITE)


# --------------------------------------------------------------------------
# Interrupted between the two renames that publish a site


def test_a_publish_interrupted_between_its_renames_is_undone(tmp_path, monkeypatch):
    site, built = tmp_path / "html", tmp_path / "built"
    site.mkdir()
    (site / "index.html").write_text("last good")
    built.mkdir()
    (built / "index.html").write_text("new")
    renames, rename = [], os.rename

    def rename_then_die(source, target):
        renames.append(target)
        if len(renames) == 2:  # the new site is about to move into place
            raise KeyboardInterrupt
        rename(source, target)

    monkeypatch.setattr(build.os, "rename", rename_then_die)
    with pytest.raises(KeyboardInterrupt):
        build.publish(built, site)
    monkeypatch.undo()
    assert not site.exists()  # what a kill at that moment leaves
    build.restore_interrupted_publish(site)
    assert (site / "index.html").read_text() == "last good"


def test_even_a_failing_build_puts_back_a_site_a_publish_left_aside(book_copy):
    aside = book_copy / "_build" / "html.outgoing"
    aside.mkdir(parents=True)
    (aside / "index.html").write_text("last good")
    survival = book_copy / "data" / "survival.csv"
    survival.write_text(survival.read_text().replace(",61,OS,median,5.3,", ",61,OS,median,five,"))
    result = run_build(book_copy)
    assert result.returncode == 2
    assert (book_copy / SITE / "index.html").read_text() == "last good"
