"""How to cite a chapter, built from ``CITATION.cff`` (never typed twice)."""

from __future__ import annotations

import yaml

from . import markup
from .paths import book_root


def metadata() -> dict:
    return yaml.safe_load((book_root() / "CITATION.cff").read_text("utf-8"))


def chapter_citation(chapter_title: str) -> str:
    """Plain-text citation of one chapter of the book."""
    cff = metadata()
    authors = ", ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}"
                        for a in cff["authors"])
    return (f"{authors}. {chapter_title}. In: {cff['title']}. "
            f"Version {cff['version']}.")


def show_chapter_citation(chapter_title: str) -> None:
    """Display the citation as a quotation block on the page."""
    text = chapter_citation(chapter_title)
    markup.show({markup.MARKDOWN: f"> {markup.escape(text)}", "text/plain": text})
