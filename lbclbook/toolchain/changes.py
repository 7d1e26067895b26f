"""What changed from one release of the book to the next, computed from its data.

A release is a git tag ``vX.Y.Z`` (``scripts/release.py`` makes them). For
each release, the data package at its tag is compared with the one at the
release before, so the notes cannot drift from the data:

- the studies added and removed (rows of ``data/studies.csv``);
- every cell that changed, table by table, each row matched by the table's
  primary key: the numbers (integer and number columns) one by one, old ->
  new, with the pages that show the table (the pages whose source loads it,
  as ``stamps.tables_read`` finds them); other cells (notes, sources,
  wording) counted; rows added and removed listed by key.

Changes not yet released compare the latest release with the sources on
disk. The page says so plainly when there is no release yet, or no history
(a copy of the book outside git).

``{what-changed}`` (a directive) puts all this on a page; Sphinx reads that
page again on every build, since a new tag changes no file.
``python -m lbclbook.toolchain.changes vX.Y.Z`` prints the notes of one
release, for the release's description.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from .. import markup, toc
from ..paths import book_root
from . import stamps

RELEASE_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")
PAGE = "appendix/what-changed"
DATA = "data"
EVIDENCE_MAP = "studies"
NUMERIC_TYPES = ("integer", "number")


# --------------------------------------------------------------------------
# The data package at one version


@dataclass
class Table:
    """One table at one version: its rows by primary key, cells as text."""

    key: list[str]
    numeric: set[str]
    rows: dict[tuple[str, ...], dict[str, str]]


Snapshot = dict[str, Table]  # table name -> table


def releases(root: Path) -> list[str] | None:
    """The release tags, oldest first; None when the book is not in a git repository."""
    listed = _git(root, "tag", "--list", "v*")
    if listed is None:
        return None
    tags = [tag for tag in listed.split() if RELEASE_TAG.match(tag)]
    return sorted(tags, key=version_tuple)


def version_tuple(tag: str) -> tuple[int, int, int]:
    major, minor, patch = RELEASE_TAG.match(tag).groups()
    return int(major), int(minor), int(patch)


def snapshot_at(root: Path, tag: str) -> Snapshot:
    """The data package as it was at ``tag``."""
    return _snapshot(lambda path: _git(root, "show", f"{tag}:./{path}"))


def snapshot_on_disk(root: Path) -> Snapshot:
    """The data package as it is now."""
    def read(path: str) -> str | None:
        file = root / path
        return file.read_text("utf-8-sig") if file.is_file() else None
    return _snapshot(read)


def _snapshot(read) -> Snapshot:
    package = read(f"{DATA}/datapackage.json")
    if package is None:
        return {}
    tables = {}
    for resource in json.loads(package).get("resources", []):
        text = read(f"{DATA}/{resource['path']}")
        if text is None:
            continue
        schema = resource.get("schema", {})
        fields = schema.get("fields", [])
        key = list(schema.get("primaryKey") or [f["name"] for f in fields])
        rows = {}
        for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))):
            rows[tuple(row.get(k, "") for k in key)] = row
        tables[resource["name"]] = Table(
            key, {f["name"] for f in fields if f.get("type") in NUMERIC_TYPES}, rows)
    return tables


def _git(root: Path, *args: str) -> str | None:
    """The output of a git command in the book's folder; None if it fails."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError:  # no git
        return None
    return result.stdout if result.returncode == 0 else None


# --------------------------------------------------------------------------
# The difference between two versions


@dataclass(frozen=True)
class CellChange:
    table: str
    row: str  # the row's key, as "study / cohort / outcome"
    column: str
    old: str
    new: str


@dataclass
class Diff:
    studies_added: list[str] = field(default_factory=list)  # labels
    studies_removed: list[str] = field(default_factory=list)
    numbers: list[CellChange] = field(default_factory=list)
    other_cells: dict[str, int] = field(default_factory=dict)  # table -> text cells edited
    rows_added: dict[str, list[str]] = field(default_factory=dict)
    rows_removed: dict[str, list[str]] = field(default_factory=dict)
    tables_added: list[str] = field(default_factory=list)
    tables_removed: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.numbers or self.other_cells or self.rows_added or self.rows_removed
                    or self.tables_added or self.tables_removed)


def diff(old: Snapshot, new: Snapshot) -> Diff:
    """What changed in the data from ``old`` to ``new``."""
    result = Diff(tables_added=sorted(set(new) - set(old)),
                  tables_removed=sorted(set(old) - set(new)))
    for name in sorted(set(old) & set(new)):
        before, after = old[name], new[name]
        added = [k for k in after.rows if k not in before.rows]
        removed = [k for k in before.rows if k not in after.rows]
        if added:
            result.rows_added[name] = [_key(k) for k in added]
        if removed:
            result.rows_removed[name] = [_key(k) for k in removed]
        if name == EVIDENCE_MAP:
            result.studies_added = [_label(after.rows[k]) for k in added]
            result.studies_removed = [_label(before.rows[k]) for k in removed]
        for k in (k for k in after.rows if k in before.rows):
            for column, value in after.rows[k].items():
                was = before.rows[k].get(column, "")
                if value == was:
                    continue
                if column in after.numeric:
                    result.numbers.append(CellChange(name, _key(k), column, was, value))
                else:
                    result.other_cells[name] = result.other_cells.get(name, 0) + 1
    return result


def _key(key: tuple[str, ...]) -> str:
    return " / ".join(key)


def _label(row: dict[str, str]) -> str:
    return row.get("label") or row.get("study", "")


def pages_by_table(root: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Which pages show each table (those whose source loads it by name), and
    the pages that read every table (the data appendix), listed apart."""
    names = list(snapshot_on_disk(root))
    shown: dict[str, list[str]] = {}
    everywhere = []
    for page in toc.pages_in_toc(root):
        source = root / f"{page}.md"
        if not source.is_file():
            continue
        read = stamps.tables_read(source.read_text("utf-8"), names)
        if len(names) > 1 and read == sorted(names):
            everywhere.append(page)
            continue
        for name in read:
            shown.setdefault(name, []).append(page)
    return shown, everywhere


# --------------------------------------------------------------------------
# The page


NO_HISTORY = ("This copy of the book carries no release history (it is not a git "
              "repository), so it cannot list what changed between versions.")
NO_RELEASE = ("No version of the book has been released yet. Each release will be listed "
              "here: the studies it added or removed and every number that changed, with "
              "the pages that show it.")


def page_markdown(root: Path) -> str:
    """The "What changed" page's content, as MyST: newest release first."""
    tags = releases(root)
    if tags is None:
        return NO_HISTORY
    if not tags:
        return NO_RELEASE
    shown, everywhere = pages_by_table(root)
    parts = []
    unreleased = diff(snapshot_at(root, tags[-1]), snapshot_on_disk(root))
    if not unreleased.is_empty():
        parts.append(_section("Not yet released", f"Changes since version {tags[-1][1:]}.",
                              unreleased, shown))
    for newer, older in zip(reversed(tags), [*reversed(tags[:-1]), None]):
        title = f"Version {newer[1:]}"
        if older is None:
            first = snapshot_at(root, newer)
            rows = sum(len(t.rows) for t in first.values())
            studies = len(first[EVIDENCE_MAP].rows) if EVIDENCE_MAP in first else 0
            parts.append(f"## {title}\n\nThe first release: {studies} sources in the evidence "
                         f"map, {rows} rows in {len(first)} tables.")
        else:
            parts.append(_section(title, f"Compared with version {older[1:]}.",
                                  diff(snapshot_at(root, older), snapshot_at(root, newer)),
                                  shown))
    if everywhere:
        links = ", ".join(_doc(page) for page in everywhere)
        parts.append(f"Every table is also shown in full in {links}.")
    return "\n\n".join(parts)


def _section(title: str, compared: str, d: Diff, shown: dict[str, list[str]]) -> str:
    lines = [f"## {title}", "", compared, ""]
    if d.is_empty():
        return "\n".join([*lines, "The data did not change."])
    lines.append(f"Studies added: {_names(d.studies_added)}. "
                 f"Studies removed: {_names(d.studies_removed)}.")
    lines.append("")
    if d.numbers:
        lines += ["| Table | Row | Column | Was | Now | Shown on |",
                  "| --- | --- | --- | --: | --: | --- |"]
        lines += [f"| {markup.escape(c.table)} | {markup.escape(c.row)} | "
                  f"{markup.escape(c.column)} | {_value(c.old)} | {_value(c.new)} | "
                  f"{_shown(shown.get(c.table, []))} |" for c in d.numbers]
    else:
        lines.append("No number changed.")
    lines.append("")
    for label, table_rows in [("Rows added to", d.rows_added),
                              ("Rows removed from", d.rows_removed)]:
        for name, keys in table_rows.items():
            lines.append(f"- {label} {markup.escape(name)}: "
                         + "; ".join(markup.escape(k) for k in keys)
                         + f" (shown on {_shown(shown.get(name, []))})")
    for name, count in d.other_cells.items():
        lines.append(f"- Other cells edited in {markup.escape(name)} (notes, sources, "
                     f"wording): {count}")
    for label, names in [("Tables added", d.tables_added), ("Tables removed", d.tables_removed)]:
        if names:
            lines.append(f"- {label}: " + ", ".join(markup.escape(n) for n in names))
    return "\n".join(lines).rstrip()


def _names(labels: list[str]) -> str:
    return ", ".join(markup.escape(label) for label in labels) if labels else "none"


def _value(text: str) -> str:
    return markup.escape(text) if text else "(empty)"


def _shown(pages: list[str]) -> str:
    return ", ".join(_doc(page) for page in pages) if pages else "no page"


def _doc(page: str) -> str:
    return f"{{doc}}`/{page}`"


class WhatChanged(SphinxDirective):
    """``{what-changed}``: the releases and what each changed, from git and data/."""

    def run(self) -> list[nodes.Node]:
        container = nodes.container(classes=["lbcl-what-changed"])
        text = page_markdown(book_root(self.env.srcdir))
        self.state.nested_parse(StringList(text.splitlines(), source=self.env.docname),
                                self.content_offset, container)
        return [container]


def _read_every_time(app: Sphinx, env, added, changed, removed) -> list[str]:
    """The page depends on the git tags, which are no file: read it on every build."""
    return [PAGE] if PAGE in env.found_docs and PAGE not in added | changed else []


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive("what-changed", WhatChanged)
    app.connect("env-get-outdated", _read_every_time)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------
# Release notes


def release_notes(root: Path, tag: str, page_url: str | None = None) -> str:
    """A short summary of release ``tag``, in Markdown, for the release's description."""
    tags = releases(root) or []
    if tag not in tags:
        raise ValueError(f"no release tag {tag!r} (tags: {', '.join(tags) or 'none'})")
    older = tags[tags.index(tag) - 1] if tags.index(tag) else None
    lines = [f"Version {tag[1:]} of the book."]
    if older is None:
        lines.append("The first release.")
    else:
        d = diff(snapshot_at(root, older), snapshot_at(root, tag))
        lines.append(f"Compared with version {older[1:]}: studies added: "
                     f"{', '.join(d.studies_added) or 'none'}; studies removed: "
                     f"{', '.join(d.studies_removed) or 'none'}; {len(d.numbers)} "
                     f"number(s) changed; {sum(d.other_cells.values())} other cell(s) edited.")
    if page_url:
        lines.append(f"Every change, with the pages that show it: {page_url}")
    return "\n\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: python -m lbclbook.toolchain.changes vX.Y.Z [PAGE_URL]")
    print(release_notes(book_root(), *sys.argv[1:]), end="")
