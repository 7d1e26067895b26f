"""The execution cache's data stamps: when a cached page must run again.

MyST-NB's execution cache (jupyter-cache) is keyed on a notebook's code
cells, so editing a CSV would leave stale numbers on the page (MyST-NB issue
299). The book adds a second key: beside the cache, a JSON file maps each
cached notebook's hash key to the *data stamp* it was executed with, a hash
of everything outside its code that can change its outputs:

- the tables it reads (each ``load("table")`` names ``data/table.csv``) and
  their schemas in ``data/datapackage.json``;
- the author package (``lbclbook/*.py``: the toolchain wing is not
  imported by pages, so editing it re-executes nothing), ``_toc.yml``
  (chapter links) and ``CITATION.cff`` (the how-to-cite text);
- ``references.bib`` for a page that lists references;
- for a page that shows its how-to-cite text (or how current the evidence
  is), the tables that text reads
  (``citation.TABLES_READ``) and the keys the page cites (the text says how
  current the evidence is from the years of its references);
- the names of the files in ``figures/`` for a page that lists them, and the
  figures' records (``figures/*.json``: what the gallery shows).

A record whose stamp differs from the page's current one is stale: it is
dropped and the page executed again. This module is the whole protocol, used
by both sides: ``execute`` (which executes before Sphinx and writes stamps)
and ``sphinxext`` (which checks them while Sphinx reads a page).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import citecheck
from ..citation import TABLES_READ as CITATION_TABLES

# MyST-NB's cache folder, under jupyter-book's --path-output (build.WORK).
CACHE = Path("_build") / ".work" / "_build" / ".jupyter_cache"
STAMPS = "lbclbook-data-fingerprints.json"   # in the cache folder

LOAD_CALL = re.compile(r"""\bload\(\s*["']([A-Za-z0-9_]+)["']\s*\)""")
ANY_LOAD = re.compile(r"\bload\(")
REFERENCES_CALL = re.compile(r"\breferences\(")
HEADING = re.compile(r"^# .+$", re.MULTILINE)
CODE_CELL = re.compile(r"^```+\{code-cell\}", re.MULTILINE)
READS_FIGURES = re.compile(r"""/\s*["']figures["']""")
# The how-to-cite cells, and the book-wide evidence date (for the landing page).
CITATION_CALL = re.compile(
    r"\b(?:show_(?:chapter|case)_citation|show_book_evidence|book_evidence_date|evidence_date)\(")


def tables_read(text: str, all_tables: list[str]) -> list[str]:
    """Names of the tables a page loads, from its ``load("name")`` calls.

    A page that also calls ``load`` with a computed name (the data appendix
    loads every table) is taken to read every table.
    """
    literal = LOAD_CALL.findall(text)
    if len(ANY_LOAD.findall(text)) > len(literal):
        return sorted(all_tables)
    return sorted(set(literal))


def is_executable(text: str) -> bool:
    """Does a page's source have code cells (is it executed)?"""
    return bool(CODE_CELL.search(text))


def lists_figures(text: str) -> bool:
    """Does a page list the files of ``figures/`` (and so run after the others)?"""
    return bool(READS_FIGURES.search(text))


def _tables(root: Path, text: str) -> list[str]:
    """The tables a page's outputs depend on: those it loads, and those its
    how-to-cite text reads."""
    names = tables_read(text, list(_schemas(root)))
    if CITATION_CALL.search(text):
        names = sorted(set(names) | set(CITATION_TABLES))
    return names


def dependencies(root: Path, text: str) -> list[Path]:
    """Every file whose content can change what the page shows."""
    deps = [root / "data" / f"{name}.csv" for name in _tables(root, text)]
    deps.append(root / "data" / "datapackage.json")
    # The registry of chapters: every page links chapters by their titles, and
    # a heading can only change together with its row (a data rule).
    deps.append(root / "data" / "chapters.csv")
    deps.append(root / "_toc.yml")
    deps.append(root / "CITATION.cff")  # the how-to-cite cell reads it
    if REFERENCES_CALL.search(text):
        deps.append(root / "references.bib")
    deps += sorted((root / "lbclbook").glob("*.py"))  # the author wing only
    return deps


def fingerprint(root: Path, text: str) -> str:
    """The page's data stamp: its tables, their schemas, the package, and its
    own ``# `` heading (prose, but the how-to-cite cell prints it)."""
    digest = hashlib.sha256()
    digest.update(_heading(text).encode())
    if CITATION_CALL.search(text):
        digest.update(" ".join(sorted(citecheck.cited_keys(text))).encode())
    schemas = _schemas(root)
    for name in _tables(root, text):
        digest.update(json.dumps(schemas.get(name), sort_keys=True).encode())
    if lists_figures(text):
        names = sorted(p.name for p in (root / "figures").glob("*"))
        digest.update("\n".join(names).encode())
        # The gallery shows each figure's record (number, caption, alt text, size).
        for record in sorted((root / "figures").glob("*.json")):
            digest.update(record.read_bytes())
    for path in dependencies(root, text):
        if path.name == "datapackage.json":
            continue  # only the schemas of the tables read count (above)
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def _heading(text: str) -> str:
    heading = HEADING.search(text)
    return heading.group(0) if heading else ""


def _schemas(root: Path) -> dict[str, object]:
    package = json.loads((root / "data" / "datapackage.json").read_text("utf-8"))
    return {r["name"]: r for r in package.get("resources", [])}


class Stamps:
    """The stamps file of one execution cache: hash key -> data stamp."""

    def __init__(self, cache_path: Path | str):
        self.path = Path(cache_path) / STAMPS
        self._stamps: dict[str, str] = (json.loads(self.path.read_text())
                                        if self.path.exists() else {})

    def current(self, hashkey: str, stamp: str) -> bool:
        """Was the notebook with ``hashkey`` cached from data with ``stamp``?"""
        return self._stamps.get(hashkey) == stamp

    def record(self, hashkey: str, stamp: str) -> None:
        """Note that ``hashkey`` is (or is about to be) cached from ``stamp``; saved at once."""
        self._stamps[hashkey] = stamp
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self._stamps, indent=1, sort_keys=True))


def hashkey(cache, notebook) -> str:
    """The notebook's jupyter-cache key, as MyST-NB computes it."""
    return cache.create_hashed_notebook(notebook)[1]


def drop_stale(cache, notebook, stamp: str, stamps: Stamps | None = None) -> bool:
    """Drop the cache record of ``notebook`` unless it was made from ``stamp``.

    Returns True if a current record remains (the page needs no execution).
    The new stamp is recorded when a record was dropped, so that the
    execution that follows (by MyST-NB) is taken as made from it.
    """
    stamps = stamps or Stamps(cache.path)
    key = hashkey(cache, notebook)
    records = [r for r in cache.list_cache_records() if r.hashkey == key]
    if stamps.current(key, stamp):
        return bool(records)
    for record in records:
        cache.remove_cache(record.pk)
    stamps.record(key, stamp)
    return False
