"""Sphinx extension: two repairs to the HTML the toolchain writes.

Both are bugs of the pinned toolchain, found by the browser tests
(``tests/test_browser.py``), and fixed where the HTML is made rather than
hidden from the tests:

1. **A script declared twice.** Sphinx 7.4 keeps an inline script added by an
   extension twice when the extension adds it after the builder started
   (once with ``filename=None``, once with ``''``). sphinx-thebe's
   ``const THEBE_JS_URL = ...`` then throws "Identifier has already been
   declared" on every page. Identical scripts are emitted once.
2. **A list without list items.** docutils 0.21 wraps a bibliography in
   ``role="list"`` and marks each entry ``role="doc-biblioentry"``, a role
   DPUB-ARIA 1.1 deprecated and ARIA no longer counts as a list item: screen
   readers meet an empty list (axe: ``aria-required-children``, critical).
   Entries are marked ``role="listitem"``.

3. **A search index that forgets the glossary.** On an incremental build,
   Sphinx 7.4 reloads ``searchindex.js`` for the pages it does not write
   again, but its ``IndexBuilder.load`` skips the index entries (the
   glossary's terms): after any edit the site's search index lost them, so
   the published site was not what a clean build publishes. They are
   reloaded with the rest (and pruned with the rest), in the order a clean
   build feeds them.

Four theme components (a search button, the colour-mode switch, the two
menu buttons) are fixed by the templates in ``_templates/``, which say why.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.search import IndexBuilder

DEPRECATED_ENTRY_ROLE = 'role="doc-biblioentry"'
LIST_ITEM_ROLE = 'role="listitem"'


def unique_scripts(scripts: list) -> list:
    """``scripts`` without repeats; ``None`` and ``''`` both mean "inline"."""
    seen, kept = set(), []
    for script in scripts:
        key = (script.filename or "", script.priority,
               tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            kept.append(script)
    return kept


def bibliography_as_list(body: str) -> str:
    return body.replace(DEPRECATED_ENTRY_ROLE, LIST_ITEM_ROLE)


def _on_page_context(app: Sphinx, pagename: str, templatename: str,
                     context: dict, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = unique_scripts(context["script_files"])
    if "body" in context:
        context["body"] = bibliography_as_list(context["body"])


def _load_with_index_entries(load):
    def load_all(self, stream, format) -> None:
        load(self, stream, format)
        stream.seek(0)
        frozen = (self.formats[format] if isinstance(format, str) else format).load(stream)
        index2fn = frozen["docnames"]
        entries: dict[str, list[tuple[str, str, str]]] = {}
        for entry, places in frozen.get("indexentries", {}).items():
            for doc, target, main in places:
                entries.setdefault(index2fn[doc], []).append((entry, target, "main" if main else ""))
        self._index_entries.clear()
        self._index_entries.update((name, sorted(found)) for name, found in sorted(entries.items()))
    load_all.lbclbook_fixed = True
    return load_all


def _prune_index_entries(prune):
    def prune_all(self, docnames) -> None:
        docnames = set(docnames)
        prune(self, docnames)
        for name in [n for n in self._index_entries if n not in docnames]:
            del self._index_entries[name]
    return prune_all


def _freeze_in_page_order(freeze):
    def freeze_sorted(self):
        ordered = sorted(self._index_entries.items())  # as a clean build feeds the pages
        self._index_entries.clear()
        self._index_entries.update(ordered)
        return freeze(self)
    return freeze_sorted


def repair_search_index() -> None:
    """Make Sphinx's search index keep its index entries across incremental builds."""
    if not getattr(IndexBuilder.load, "lbclbook_fixed", False):
        IndexBuilder.load = _load_with_index_entries(IndexBuilder.load)
        IndexBuilder.prune = _prune_index_entries(IndexBuilder.prune)
        IndexBuilder.freeze = _freeze_in_page_order(IndexBuilder.freeze)


def setup(app: Sphinx) -> dict[str, object]:
    repair_search_index()
    # Late (priority 900): after the theme and other extensions added theirs.
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
