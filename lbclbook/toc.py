"""The book's plan: which chapters exist (in ``_toc.yml``) and which are coming.

The chapters, their titles, short labels, modalities, order and parts are rows
of ``data/chapters.csv``; a page that uses them loads that table by name
(``load("chapters")``) so that the build re-executes it when the table changes.

Chapters link forward to the modality chapters. A link to a page that is not
in the table of contents would break the strict build, so a chapter that is
planned but not yet written is named, marked as forthcoming, and becomes a
link the first time the book is built with it in ``_toc.yml``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from . import data, markup
from .paths import book_root


def planned(root: Path | None = None) -> pd.DataFrame:
    """The rows of ``data/chapters.csv`` in reading order, indexed by slug."""
    return data.load("chapters", root).sort_values("order").set_index("slug", drop=False)


def title(slug: str, root: Path | None = None) -> str:
    """Chapter ``slug``'s title (its page's ``# `` heading, checked by the data rules)."""
    return _row(slug, root).title


def _row(slug: str, root: Path | None) -> pd.Series:
    chapters = planned(root)
    if slug not in chapters.index:
        raise ValueError(f"unknown chapter {slug!r}; data/chapters.csv lists: "
                         f"{', '.join(chapters.index)}")
    return chapters.loc[slug]


def chapters_in_toc() -> set[str]:
    """Slugs of the ``chapters/<slug>`` files listed in ``_toc.yml``."""
    toc = yaml.safe_load((book_root() / "_toc.yml").read_text("utf-8"))
    return {f.removeprefix("chapters/") for f in _files(toc) if f.startswith("chapters/")}


def chapter_numbers(root: Path | None = None) -> dict[str, int | None]:
    """Each chapter of ``_toc.yml`` in reading order, with its number in the book.

    Chapters are numbered on through the numbered parts, as the HTML numbers
    them (``use_multitoc_numbering``); a chapter in an unnumbered part has none.
    """
    toc = yaml.safe_load(((root or book_root()) / "_toc.yml").read_text("utf-8"))
    numbers: dict[str, int | None] = {}
    count = 0
    for part in toc.get("parts", [toc]):
        for entry in part.get("chapters", []):
            slug = str(entry.get("file", "")).removesuffix(".md")
            if not slug.startswith("chapters/"):
                continue
            count += bool(part.get("numbered"))
            numbers[slug.removeprefix("chapters/")] = count if part.get("numbered") else None
    return numbers


def pages_in_toc(root: Path | None = None) -> list[str]:
    """Every page in ``_toc.yml``, the root first, as paths without ``.md``."""
    toc = yaml.safe_load(((root or book_root()) / "_toc.yml").read_text("utf-8"))
    return [str(toc["root"]), *_files(toc.get("parts", toc.get("chapters", [])))]


def _files(node: object):
    if isinstance(node, dict):
        if "file" in node:
            yield str(node["file"]).removesuffix(".md")
        for value in node.values():
            yield from _files(value)
    elif isinstance(node, list):
        for item in node:
            yield from _files(item)


def chapter_link(slug: str) -> markup.Markup:
    """A link to chapter ``slug``, or its planned title marked as forthcoming."""
    name = title(slug)
    if slug in chapters_in_toc():
        return markup.doc_link(slug)
    return markup.Markup(f"{markup.escape(name)} (forthcoming)")
