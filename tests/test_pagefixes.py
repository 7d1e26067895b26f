"""The repairs lbclbook.toolchain.pagefixes makes to the toolchain's HTML."""

from __future__ import annotations

from sphinx.builders.html._assets import _JavaScript

from lbclbook.toolchain.pagefixes import bibliography_as_list, unique_scripts


def test_an_inline_script_added_twice_is_emitted_once():
    # Sphinx 7.4 keeps one copy with filename None and one with '' (sphinx-thebe).
    body = 'const THEBE_JS_URL = "x"'
    scripts = [_JavaScript(None, body=body), _JavaScript("a.js"), _JavaScript("", body=body)]
    assert [s.filename for s in unique_scripts(scripts)] == [None, "a.js"]


def test_different_scripts_are_all_kept():
    scripts = [_JavaScript("", body="let a = 1"), _JavaScript("", body="let b = 2"),
               _JavaScript("a.js"), _JavaScript("a.js", **{"async": "async"})]
    assert unique_scripts(scripts) == scripts


def test_bibliography_entries_become_list_items():
    html = ('<div role="list" class="citation-list">\n'
            '<div class="citation" id="id1" role="doc-biblioentry">x</div>\n</div>')
    fixed = bibliography_as_list(html)
    assert 'role="doc-biblioentry"' not in fixed
    assert '<div class="citation" id="id1" role="listitem">' in fixed
