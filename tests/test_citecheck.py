"""Every {cite} of a page carries the :keyprefix: of that page's bibliography."""

from __future__ import annotations

from lbclbook import citecheck

from conftest import ROOT


def test_every_citation_in_the_book_carries_its_pages_prefix():
    assert citecheck.problems(ROOT) == []


def test_a_citation_without_the_prefix_names_page_line_key_and_prefix(book_copy):
    page = book_copy / "chapters" / "radiotherapy.md"
    text = page.read_text()
    page.write_text(text.replace("{cite:p}`rt-", "{cite:p}`", 1))
    line = text[:text.index("{cite:p}`rt-")].count("\n") + 1
    key = text[text.index("{cite:p}`rt-") + len("{cite:p}`rt-"):].split("`")[0].split(",")[0]
    [message] = citecheck.problems(book_copy)
    assert message.startswith(f"chapters/radiotherapy.md, line {line}: ")
    assert f"key {key!r} lacks this page's prefix 'rt-'" in message
    assert message.endswith(f"write rt-{key}")


def test_a_prefixed_key_must_be_in_the_bibliography():
    [message] = citecheck.page_problems(
        "chapters/x.md", "{cite:t}`x-nobody2099`\n```{bibliography}\n:keyprefix: x-\n```\n",
        {"chow2019"})
    assert message == ("chapters/x.md, line 1: {cite:t}`x-nobody2099`: 'nobody2099' is not "
                       "a key of references.bib")


def test_the_build_stops_on_a_citation_without_its_prefix_before_executing(book_copy):
    from conftest import run_build
    page = book_copy / "chapters" / "radiotherapy.md"
    page.write_text(page.read_text().replace("{cite:p}`rt-", "{cite:p}`", 1))
    result = run_build(book_copy)
    assert result.returncode == 2
    assert "stopped before building" in result.stderr
    assert "chapters/radiotherapy.md, line " in result.stderr
    assert not (book_copy / "_build" / "html").exists()
