"""Every ``{cite}`` of a page carries the prefix of that page's bibliography.

Each chapter (and case) keeps its own reference list: a ``{bibliography}``
block with ``:keyprefix: rt-``, so the radiotherapy chapter cites
``{cite:p}`rt-chong2018```. A key cited without the prefix makes Sphinx say
"could not find bibtex key", which sends the author looking for a missing
reference; this check names the page, the line, the key and the prefix.

``problems(root)`` lists them for the build or a test;
``python -m lbclbook.citecheck`` prints them and exits 1 if there are any.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pybtex.database

from .paths import book_root

PAGES = ("chapters/*.md", "cases/*.md", "appendix/*.md", "*.md")
_CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
_KEYPREFIX = re.compile(r"^```+\{bibliography\}[^\n]*\n(?:[^`\n][^\n]*\n)*?:keyprefix:\s*(\S+)",
                        re.MULTILINE)


def problems(root: Path | None = None) -> list[str]:
    """One message for each citation that lacks its page's prefix or names no entry."""
    root = root or book_root()
    keys = set(pybtex.database.parse_file(str(root / "references.bib")).entries)
    found = []
    for pattern in PAGES:
        for page in sorted(root.glob(pattern)):
            if page.name in ("README.md", "CONTRIBUTING.md"):
                continue
            found += page_problems(page.relative_to(root).as_posix(),
                                   page.read_text("utf-8"), keys)
    return found


def page_problems(name: str, text: str, keys: set[str]) -> list[str]:
    prefix = _KEYPREFIX.search(text)
    found = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for cite in _CITE.finditer(line):
            for key in (k.strip() for k in cite.group(1).split(",")):
                where = f"{name}, line {line_number}: {cite.group(0)}"
                if prefix is None:
                    found.append(f"{where} cites {key!r}, but the page has no "
                                 "{bibliography} block with a :keyprefix:")
                elif not key.startswith(prefix.group(1)):
                    bare = key if key in keys else "<key>"
                    found.append(f"{where}: key {key!r} lacks this page's prefix "
                                 f"{prefix.group(1)!r} (from its {{bibliography}} block); "
                                 f"write {prefix.group(1)}{bare}")
                elif key.removeprefix(prefix.group(1)) not in keys:
                    found.append(f"{where}: {key.removeprefix(prefix.group(1))!r} is not "
                                 "a key of references.bib")
    return found


def keyprefix(text: str) -> str | None:
    """The ``:keyprefix:`` of the page's ``{bibliography}`` block, if it has one."""
    found = _KEYPREFIX.search(text)
    return found.group(1) if found else None


def cited_keys(text: str) -> set[str]:
    """The references.bib keys a page cites, without its bibliography's prefix."""
    prefix = _KEYPREFIX.search(text)
    keys = {key.strip() for cite in _CITE.finditer(text) for key in cite.group(1).split(",")}
    return {key.removeprefix(prefix.group(1)) if prefix else key for key in keys if key}


def main() -> int:
    found = problems()
    for message in found:
        print(message, file=sys.stderr)
    if found:
        print(f"citations: {len(found)} problem(s)", file=sys.stderr)
        return 1
    print("citations: every key carries its page's prefix")
    return 0


if __name__ == "__main__":
    sys.exit(main())
