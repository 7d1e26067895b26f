"""Two clean builds, in two folders, give the same book.

The second is built in the background, beside other tests (``second_clean_build``
in conftest.py).

Same figures byte for byte, same executed notebooks output for output, same
pages. Only what is volatile by design is ignored: the random ids nbformat
gives the cells of a notebook read from MyST, execution timestamps, and the
build date in the pages' footer (see ``VOLATILE_IN_PAGES`` in conftest.py).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path


from lbclbook.toolchain.build import SITE, executed_notebooks

from conftest import site_files
from test_build import snapshot

VOLATILE_CELL_KEYS = ("id",)
VOLATILE_METADATA = ("execution",)  # timestamps, where a kernel records them


def stable(notebook: dict) -> dict:
    """A notebook without what legitimately differs between two executions."""
    notebook = copy.deepcopy(notebook)
    for key in VOLATILE_METADATA:
        notebook["metadata"].pop(key, None)
    for cell in notebook["cells"]:
        for key in VOLATILE_CELL_KEYS:
            cell.pop(key, None)
        for key in VOLATILE_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return notebook


def executed(root: Path) -> dict[str, dict]:
    folder = executed_notebooks(root)
    return {p.relative_to(folder).as_posix(): stable(json.loads(p.read_text("utf-8")))
            for p in sorted(folder.rglob("*.ipynb"))}


def test_two_clean_builds_write_byte_identical_figures(clean_build, second_clean_build):
    first, second = snapshot(clean_build / "figures"), snapshot(second_clean_build / "figures")
    assert len(first) >= 8
    assert first == second


def test_two_clean_builds_execute_to_identical_outputs(clean_build, second_clean_build, tell):
    first, second = executed(clean_build), executed(second_clean_build)
    assert first.keys() == second.keys() and len(first) >= 2
    for name in first:
        assert first[name] == second[name], f"{name} executed differently"
    outputs = sum(len(cell.get("outputs", [])) for nb in first.values() for cell in nb["cells"])
    assert outputs >= 4  # the figures at least
    tell(f"reproducibility: {len(first)} notebooks, {outputs} outputs and "
         f"{len(snapshot(clean_build / 'figures'))} figure files identical in two clean builds")


def test_two_clean_builds_publish_the_same_pages(clean_build, second_clean_build):
    first, second = site_files(clean_build / SITE), site_files(second_clean_build / SITE)
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_stable_ignores_only_what_is_volatile():
    notebook = {"metadata": {"kernelspec": {"name": "python3"}, "execution": {"t": 1}},
                "cells": [{"id": "a1", "cell_type": "code", "source": "1",
                           "metadata": {"execution": {"t": 2}},
                           "outputs": [{"output_type": "execute_result",
                                        "data": {"text/plain": "1"}}]}]}
    other = copy.deepcopy(notebook)
    other["cells"][0]["id"] = "b2"
    other["metadata"]["execution"] = {"t": 3}
    assert stable(notebook) == stable(other)
    other["cells"][0]["outputs"][0]["data"]["text/plain"] = "2"
    assert stable(notebook) != stable(other)
