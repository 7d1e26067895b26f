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

Two theme components (a search button, the colour-mode switch) are fixed
by the templates in ``_templates/``, which say why.
"""

from __future__ import annotations

from sphinx.application import Sphinx

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


def setup(app: Sphinx) -> dict[str, object]:
    # Late (priority 900): after the theme and other extensions added theirs.
    app.connect("html-page-context", _on_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
