"""The package's two wings: chapters import the author's API, never the toolchain.

``lbclbook`` (data, stats, plots, tables, prose, markup, toc, citation,
downloads, basis, glossary, paths) is what pages import; ``lbclbook.toolchain``
builds the book with Jupyter Book 1. Replacing the toolchain must not touch a
chapter: so no page and no author module imports the toolchain, and the
table of contents is read in one place, ``lbclbook.toc``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from lbclbook import toc

from conftest import ROOT

PACKAGE = ROOT / "lbclbook"
AUTHOR_MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
FROM_LBCLBOOK = re.compile(r"^\s*(?:from\s+lbclbook(\.\w+)*\s+import\s+([\w, ()]+)|import\s+lbclbook(\.\w+)*)",
                           re.MULTILINE)


def imported_modules(path) -> set[str]:
    """Absolute names of the modules a module of the package imports."""
    names = set()
    package = "lbclbook" if path.parent == PACKAGE else "lbclbook.toolchain"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


def test_the_author_wing_never_imports_the_toolchain():
    assert {"data", "stats", "plots", "tables", "toc", "paths"} <= set(AUTHOR_MODULES)
    for module in AUTHOR_MODULES:
        imported = imported_modules(PACKAGE / f"{module}.py")
        assert not [name for name in imported if name.startswith("lbclbook.toolchain")], module


def test_importing_the_author_wing_loads_no_toolchain_module():
    names = ", ".join(f"lbclbook.{m}" for m in AUTHOR_MODULES)
    code = (f"import sys, {names}\n"
            "print(sorted(m for m in sys.modules if m.startswith('lbclbook.toolchain')))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_pages_import_only_the_author_wing():
    pages = [ROOT / (name if name.endswith(".md") else f"{name}.md")
             for name in toc.pages_in_toc(ROOT)]
    imports = 0
    for page in pages:
        text = page.read_text("utf-8")
        assert "lbclbook.toolchain" not in text, page.relative_to(ROOT)
        for match in FROM_LBCLBOOK.finditer(text):
            if match.group(2) and not match.group(1):  # from lbclbook import a, b
                names = {n.strip(" ()") for n in match.group(2).split(",")}
                assert names <= set(AUTHOR_MODULES), (page.relative_to(ROOT), names)
            imports += 1
    assert imports >= 8  # every chapter imports the package


def test_the_table_of_contents_is_parsed_only_by_toc():
    readers = [p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")
               if re.search(r"safe_load\([^)\n]*_toc\.yml", p.read_text("utf-8"))
               or "_toc_files" in p.read_text("utf-8")]
    assert readers in ([], ["lbclbook/toc.py"])
