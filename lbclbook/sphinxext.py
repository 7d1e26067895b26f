"""Sphinx extension: a chapter's outputs depend on its data, not only its code.

MyST-NB's execution cache is keyed on a notebook's code cells, so editing a
CSV would leave stale numbers on the page (MyST-NB issue 299). For every
executable page this extension

1. finds what the page reads: each ``load("table")`` names ``data/table.csv``
   and that table's schema; every page also depends on the ``lbclbook``
   package, ``_toc.yml`` (chapter links depend on which chapters exist) and
   ``CITATION.cff`` (the how-to-cite text);
2. registers those files as Sphinx dependencies, so an edit makes Sphinx
   read the page again;
3. keeps, beside the cache, the data fingerprint each cached notebook was
   executed with, and drops the cache entry when the fingerprint changed, so
   the page is executed again instead of being served from the cache.

Only the pages that read a changed table are re-executed.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

from .paths import book_root

LOG = logging.getLogger(__name__)
LOAD_CALL = re.compile(r"""\bload\(\s*["']([A-Za-z0-9_]+)["']\s*\)""")
REFERENCES_CALL = re.compile(r"\breferences\(")
CODE_CELL = re.compile(r"^```+\{code-cell\}", re.MULTILINE)
STAMPS = "lbclbook-data-fingerprints.json"


ANY_LOAD = re.compile(r"\bload\(")
READS_FIGURES = re.compile(r"""/\s*["']figures["']""")


def tables_read(text: str, all_tables: list[str]) -> list[str]:
    """Names of the tables a page loads, from its ``load("name")`` calls.

    A page that also calls ``load`` with a computed name (the data appendix
    loads every table) is taken to read every table.
    """
    literal = LOAD_CALL.findall(text)
    if len(ANY_LOAD.findall(text)) > len(literal):
        return sorted(all_tables)
    return sorted(set(literal))


def dependencies(root: Path, text: str) -> list[Path]:
    """Every file whose content can change what the page shows."""
    deps = [root / "data" / f"{name}.csv" for name in tables_read(text, list(_schemas(root)))]
    deps.append(root / "data" / "datapackage.json")
    deps.append(root / "_toc.yml")
    deps.append(root / "CITATION.cff")  # the how-to-cite cell reads it
    if REFERENCES_CALL.search(text):
        deps.append(root / "references.bib")
    deps += sorted((root / "lbclbook").glob("*.py"))
    return deps


def fingerprint(root: Path, text: str) -> str:
    """Hash of the page's data: its tables, their schemas, the package."""
    digest = hashlib.sha256()
    schemas = _schemas(root)
    for name in tables_read(text, list(schemas)):
        digest.update(json.dumps(schemas.get(name), sort_keys=True).encode())
    if READS_FIGURES.search(text):  # a page that lists the figure files
        names = sorted(p.name for p in (root / "figures").glob("*"))
        digest.update("\n".join(names).encode())
    for path in dependencies(root, text):
        if path.name == "datapackage.json":
            continue  # only the schemas of the tables read count (above)
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def _schemas(root: Path) -> dict[str, object]:
    package = json.loads((root / "data" / "datapackage.json").read_text("utf-8"))
    return {r["name"]: r for r in package.get("resources", [])}


def _on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if not CODE_CELL.search(text):
        return
    root = book_root(app.srcdir)
    for path in dependencies(root, text):
        app.env.note_dependency(str(path))
    if app.env.mystnb_config.execution_mode == "cache":
        _drop_stale_cache_entry(app, docname, text, fingerprint(root, text))


def _drop_stale_cache_entry(app: Sphinx, docname: str, text: str, stamp: str) -> None:
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(app.env.mystnb_config.execution_cache_path)
    path = app.env.doc2path(docname)
    reader = create_nb_reader(str(path), app.env.myst_config, app.env.mystnb_config, text)
    _, hashkey = cache.create_hashed_notebook(reader.read(text))

    stamps_path = Path(cache.path) / STAMPS
    stamps = json.loads(stamps_path.read_text()) if stamps_path.exists() else {}
    if stamps.get(hashkey) != stamp:
        for record in cache.list_cache_records():
            if record.hashkey == hashkey:
                LOG.info(f"[lbclbook] data of {docname} changed: executing it again")
                cache.remove_cache(record.pk)
        stamps[hashkey] = stamp
        stamps_path.write_text(json.dumps(stamps, indent=1, sort_keys=True))


def setup(app: Sphinx) -> dict[str, object]:
    # After myst-nb's builder-inited handler has set the cache path.
    app.connect("source-read", _on_source_read)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
