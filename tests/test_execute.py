"""The pages are executed before Sphinx reads them, on every core.

``lbclbook.toolchain.execute`` must store each page under the very cache key and data
stamp MyST-NB and ``lbclbook.toolchain.sphinxext`` compute, or Sphinx would execute
the page again (or drop the record). The clean build shows whether it did.
"""

from __future__ import annotations

import re
import shutil

from lbclbook.toolchain.build import SITE
from lbclbook.toolchain.execute import executable_pages

from conftest import ROOT, run_build

PRE_EXECUTED = re.compile(r"^lbclbook\.toolchain\.execute: ([\w/.-]+\.md): executed in", re.MULTILINE)
MYST_NB_EXECUTING = re.compile(r"Executing notebook")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


def test_every_executable_page_is_found_in_the_toc():
    pages = {p.relative_to(ROOT).as_posix() for p in executable_pages(ROOT)}
    assert {"intro.md", "chapters/failure-after-car-t.md",
            "appendix/data-and-methods.md"} <= pages
    assert all(not p.startswith("_build") for p in pages)


def test_clean_build_pre_executes_every_page_and_sphinx_executes_none(clean_build_run):
    root, log = clean_build_run
    pre_executed = set(PRE_EXECUTED.findall(log))
    assert pre_executed == {p.relative_to(root).as_posix() for p in executable_pages(root)}
    assert not MYST_NB_EXECUTING.findall(log), "Sphinx missed the cache"


def test_a_failing_cell_stops_the_build_in_pre_execution(clean_build, tmp_path):
    root = tmp_path / "book"
    shutil.copytree(clean_build, root)
    site_before = sorted(p.name for p in (root / SITE).rglob("*"))
    chapter = root / "chapters" / "radiotherapy.md"
    chapter.write_text(chapter.read_text().replace(
        "import pandas as pd", "import pandas as pd\nraise RuntimeError('a broken cell')", 1))
    result = run_build(root)
    output = ANSI_COLOUR.sub("", result.stdout + result.stderr)
    assert result.returncode != 0
    assert "chapters/radiotherapy.md: executing the notebook failed" in output
    assert "RuntimeError: a broken cell" in output  # the traceback is shown
    assert "Running Sphinx" not in output  # stopped before building
    assert sorted(p.name for p in (root / SITE).rglob("*")) == site_before
