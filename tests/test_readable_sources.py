"""A chapter's source reads like the page: a clinician can review it in a diff.

- Glue keys are literal strings, so searching a page's source for a key
  finds where it is computed (no ``glue(f"{key}_pct", ...)``), and every key
  the prose pastes is glued on the same page.
- An interval is one glued phrase, never two glued bounds joined by a dash
  in the prose (``lbclbook.prose.glue_count`` and friends write it).
- The confidence level is written once for the book (``{{ ci }}``,
  ``{{ level }}`` and ``lbclbook.formats.level()``), never glued or typed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from conftest import ROOT

PAGES = sorted([*(ROOT / "chapters").glob("*.md"), *(ROOT / "cases").glob("*.md"),
                ROOT / "intro.md", *(ROOT / "appendix").glob("*.md")])
GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([A-Za-z_][\w]*)")
# Two glued numbers joined by a dash: an interval assembled in the prose.
GLUED_INTERVAL = re.compile(r"\{glue(?::\w+)?\}`[^`]+`%?\s*[–-]\s*\{glue(?::\w+)?\}`")
TYPED_LEVEL = re.compile(r"\b\d{2}(?:\.\d)?\s?% CIs?\b")


def cells(page: Path) -> tuple[list[str], list[str]]:
    """The page's markdown and code, cell by cell, as MyST-NB reads them."""
    notebook = read_myst_markdown_notebook(page.read_text("utf-8"))
    markdown = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    return markdown, code


def glue_calls(code: str) -> list[ast.Call]:
    """Calls to ``glue`` or ``glue_*`` (``glue_count``, ``glue_proportion``...)."""
    return [node for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and re.fullmatch(r"glue(_\w+)?", node.func.id)]


def glued_keys(call: ast.Call) -> set[str]:
    """The keys a literal call glues (``glue_proportion`` adds its suffixes)."""
    name = call.args[0].value
    if call.func.id == "glue_proportion":
        return {f"{name}_{suffix}" for suffix in ("events", "n", "pct", "low", "high")}
    return {name}


def problems(page: Path) -> list[str]:
    markdown, code = cells(page)
    found, defined = [], set()
    for source in code:
        for call in glue_calls(source):
            key = call.args[0] if call.args else None
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                found.append(f"line {call.lineno} of a code cell: glue key is not a literal string "
                             f"({ast.unparse(key) if key else 'missing'})")
            else:
                defined |= glued_keys(call)
        for string in _strings(source):
            if TYPED_LEVEL.search(string):
                found.append(f"code string {string[:60]!r}: types the confidence level "
                             "(use lbclbook.formats)")
    prose = "\n".join(markdown)
    for key in sorted(set(GLUE_ROLE.findall(prose)) - defined):
        found.append(f"{{glue}}`{key}` is pasted but never glued on this page")
    for match in GLUED_INTERVAL.finditer(prose):
        found.append(f"interval assembled from two glued bounds: {match.group(0)!r} "
                     "(glue the phrase with lbclbook.prose)")
    for match in TYPED_LEVEL.finditer(prose):
        found.append(f"typed confidence level {match.group(0)!r} (write {{{{ ci }}}})")
    if "ci_level" in prose:
        found.append("glued confidence level (write {{ ci }} or {{ level }})")
    return found


def _strings(code: str) -> list[str]:
    return [node.value for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_page_source_reads_like_its_page(page):
    assert problems(page) == []


def test_the_check_finds_each_kind_of_problem(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n"
        "```{code-cell} ipython3\n"
        "glue(f\"{key}_pct\", 3)\nglue(\"low\", 1); glue(\"high\", 2)\n"
        "caption = \"Responses with exact 95% CI\"\n```\n\n"
        "Rate {glue:text}`low:.0f`–{glue:text}`high:.0f`%, 95% CI, {glue:text}`missing`,"
        " {glue:text}`ci_level:.0f`.\n", "utf-8")
    found = "\n".join(problems(page))
    for expected in ["not a literal string", "types the confidence level",
                     "`missing` is pasted but never glued", "two glued bounds",
                     "typed confidence level", "glued confidence level"]:
        assert expected in found
