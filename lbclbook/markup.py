"""Safe MyST markup for text that comes from data.

Tables, captions and alt text are emitted as ``text/markdown`` outputs that
the book parses as MyST (so they are numbered, cross-referenced and typeset in
both HTML and LaTeX). Text from ``data/`` must therefore never be read as
markup: every ASCII punctuation character is backslash-escaped, which
CommonMark defines as a literal, so ``<img onerror=...>`` shows as text.
"""

from __future__ import annotations

import re

from IPython.display import display

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LABEL = re.compile(r"^[a-z0-9]+([-_][a-z0-9]+)*$")
_TERM = re.compile(r"^[A-Za-z0-9]+([-/][A-Za-z0-9]+)*$")

# Asks the book to render text/markdown before any other mime type.
MARKDOWN = "text/markdown"


def escape(text: object) -> str:
    """``text`` as literal MyST inline text: punctuation escaped, one line."""
    flat = " ".join(str(text).split())
    return _PUNCTUATION.sub(r"\\\1", flat)


def attribute(text: object) -> str:
    """Text for a directive option such as ``:alt:``: one line, not parsed."""
    return " ".join(str(text).split())


def label(name: str) -> str:
    """A cross-reference label, checked so that it cannot inject markup."""
    if not _LABEL.match(name):
        raise ValueError(f"label {name!r}: use lower-case letters, digits, - and _")
    return name


class Markup(str):
    """Text that is already safe MyST markup (built by this module)."""


def glossary_term(term: str) -> str:
    """A glossary term, checked: letters, digits, '-' and '/' only (R/R, PD-1)."""
    if not _TERM.match(term):
        raise ValueError(f"glossary term {term!r}: letters, digits, - and / only")
    return term


def doc_link(slug: str) -> Markup:
    """A link to chapter ``slug`` whose text is that chapter's title."""
    if not _SLUG.match(slug):
        raise ValueError(f"chapter slug {slug!r}: use lower-case words joined by -")
    return Markup(f"{{doc}}`/chapters/{slug}`")


def directive(name: str, argument: str, options: dict[str, str], body: str) -> str:
    """A fenced MyST directive; the fence outgrows any backticks in ``body``."""
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    lines = [f"{fence}{{{name}}} {argument}".rstrip()]
    lines += [f":{key}: {value}" for key, value in options.items()]
    return "\n".join([*lines, "", body, fence])


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def show(bundle: dict[str, object]) -> None:
    """Display a mime bundle (``text/markdown`` is what the book renders)."""
    display(bundle, raw=True)
