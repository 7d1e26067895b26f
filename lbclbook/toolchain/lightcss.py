"""The site's stylesheets without the rules no page can use.

pydata-sphinx-theme ships one 400 kB stylesheet (66 kB compressed) with all
of Bootstrap and a rule for each of Font Awesome's 1,900 icons; a chapter
page uses under a tenth of it (Lighthouse: "reduce unused CSS"), and a phone
must download and parse all of it before it shows any text. This module
drops, from every stylesheet of the built site, the selectors that name a
class or id that appears nowhere in the site: in no page and in no script
(scripts add classes at run time: Bootstrap's ``show``, the menus' state,
the copy buttons). It is the rule PurgeCSS applies, and it errs on the side
of keeping: a selector is kept if every class and id it requires is a word
somewhere in the site, whatever the element, state or colour scheme
(``[data-theme=dark]`` and ``:hover`` never remove a rule). At-rules that hold
no selectors (``@font-face``, ``@keyframes``) are kept whole.

The icon fonts then carry only the icons the stylesheets still draw: Font
Awesome's solid font alone is 156 kB, requested on every page for a dozen
icons, at the priority of the stylesheets. Each web font whose TrueType file
is in the site is cut down (fontTools, as matplotlib installs it) to the
characters some stylesheet names (``content: "\\f0c9"``, or a variable such
as ``--pst-icon-admonition-tip``), as WOFF, and written into its
``@font-face`` as a ``data:`` address: a request fewer before the first
paint, for some 3 kB.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from fontTools import subset

WORD = re.compile(r"[A-Za-z_][\w-]*")
# A class or id a selector requires (``\:``-style escapes are kept whole).
REQUIRED = re.compile(r"[.#]((?:[\w-]|\\.)+)")
# The arguments of a functional pseudo-class, :not(.a) or :is(.a, .b): a
# class named there is not required by the selector, so it never removes it.
PSEUDO_ARGUMENTS = re.compile(r"\([^()]*\)")
# At-rules whose block holds rules (kept if any of their rules is kept).
GROUPING = ("@media", "@supports", "@container", "@layer", "@document")


SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"?#]+)')


def site_words(site: Path) -> tuple[set[str], tuple[str, ...]]:
    """Every word in the site's pages and in the scripts they load, and every
    prefix such a script builds a class from (``bs-tooltip-`` + placement)."""
    words: set[str] = set()
    scripts: set[Path] = set()
    for page in site.rglob("*.html"):
        html = page.read_text("utf-8", errors="replace")
        words.update(WORD.findall(html))
        scripts.update((page.parent / src).resolve() for src in SCRIPT_SRC.findall(html)
                       if ":" not in src)
    prefixes = set()
    for script in sorted(s for s in scripts if s.is_file()):
        found = WORD.findall(script.read_text("utf-8", errors="replace"))
        words.update(found)
        prefixes.update(w for w in found if w.endswith("-") and w.count("-") > 1)
    return words, tuple(sorted(prefixes))


def used(selector: str, words: set[str], prefixes: tuple[str, ...] = ()) -> bool:
    """Whether every class and id ``selector`` requires is among ``words``
    (or begins with one of ``prefixes``)."""
    while PSEUDO_ARGUMENTS.search(selector):
        selector = PSEUDO_ARGUMENTS.sub("", selector)
    selector = re.sub(r"\[[^\]]*\]", "", selector)  # attribute values may hold dots
    for name in REQUIRED.findall(selector):
        name = name.replace("\\", "")
        if name not in words and not name.startswith(prefixes):
            return False
    return True


def split_selectors(prelude: str) -> list[str]:
    """A selector list at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return parts


def blocks(css: str) -> Iterator[tuple[str, str | None]]:
    """The top-level statements of ``css``: (prelude, block) for a rule or a
    block at-rule, (statement, None) for ``@import ...;`` and comments."""
    i, start, n = 0, 0, len(css)
    while i < n:
        char = css[i]
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            end = n if end < 0 else end + 2
            if not css[start:i].strip():
                yield css[i:end], None  # a comment between statements
                start = end
            i = end
        elif char in "\"'":
            i = _string_end(css, i)
        elif char == ";" and css[start:i].lstrip().startswith("@"):
            yield css[start:i + 1].strip(), None
            i = start = i + 1
        elif char == "{":
            end = _block_end(css, i)
            yield css[start:i].strip(), css[i + 1:end]
            i = start = end + 1
        else:
            i += 1
    if css[start:].strip():
        yield css[start:].strip(), None


def _string_end(css: str, i: int) -> int:
    quote, i = css[i], i + 1
    while i < len(css) and css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _block_end(css: str, i: int) -> int:
    """The index of the brace that closes the block opened at ``i``."""
    depth, i = 0, i
    while i < len(css):
        if css.startswith("/*", i):
            i = css.find("*/", i + 2) + 2 or len(css)
            continue
        if css[i] in "\"'":
            i = _string_end(css, i)
            continue
        if css[i] == "{":
            depth += 1
        elif css[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(css)


def purge(css: str, words: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """``css`` without the selectors (and rules) that nothing in the site can match."""
    return "".join(_purged(blocks(css), words, prefixes))


def _purged(statements: Iterable[tuple[str, str | None]], words: set[str],
            prefixes: tuple[str, ...]) -> Iterator[str]:
    for prelude, block in statements:
        if block is None:
            if prelude.startswith("/*") and not prelude.startswith("/*!"):
                continue  # source maps and remarks; licences stay
            yield prelude
        elif prelude.startswith(GROUPING):
            inner = purge(block, words, prefixes)
            if inner.strip():
                yield f"{prelude}{{{inner}}}"
        elif prelude.startswith("@"):
            yield f"{prelude}{{{block}}}"  # @font-face, @keyframes, @page: no selectors
        else:
            kept = [s.strip() for s in split_selectors(prelude) if used(s, words, prefixes)]
            if kept:
                yield f"{','.join(kept)}{{{block}}}"


# A font's sources in @font-face: url(...name.woff2) format("woff2"), url(...name.ttf) ...
FONT_SOURCES = re.compile(r'src:\s*url\(([^)]*?)\.woff2\)\s*format\("woff2"\)\s*,\s*'
                          r'url\(\1\.ttf\)\s*format\("truetype"\)')
CHARACTER_ESCAPE = re.compile(r"\\([0-9a-fA-F]{4,6})")


def drawn_characters(css: str) -> set[int]:
    """The code points a stylesheet writes as escapes (``"\\f0c9"``): its icons."""
    return {int(code, 16) for code in CHARACTER_ESCAPE.findall(css)}


def subset_fonts(sheet: Path, characters: set[int]) -> str:
    """The text of ``sheet`` with each web font it declares (WOFF2 with a
    TrueType fallback in the site) cut to ``characters``, as WOFF, inline."""
    css = sheet.read_text("utf-8")

    def smaller(match: re.Match) -> str:
        stem = match.group(1).strip("'\"")
        truetype = (sheet.parent / f"{stem}.ttf").resolve()
        if not truetype.is_file():
            return match.group(0)
        options = subset.Options()
        options.flavor = "woff"
        font = subset.load_font(str(truetype), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters)
        subsetter.subset(font)
        woff = io.BytesIO()
        subset.save_font(font, woff, options)
        data = base64.b64encode(woff.getvalue()).decode("ascii")
        return f'src:url(data:font/woff;base64,{data}) format("woff")'

    return FONT_SOURCES.sub(smaller, css)


def purge_site(site: Path, keep: set[str] = frozenset()) -> dict[str, tuple[int, int]]:
    """Purge every stylesheet of ``site`` but those named in ``keep``, in place:
    {name: (bytes before, after)}."""
    words, prefixes = site_words(site)
    sizes = {}
    for sheet in sorted((site / "_static").rglob("*.css")):
        if sheet.name in keep:
            continue
        before = sheet.read_text("utf-8")
        after = purge(before, words, prefixes)
        if after != before:
            sheet.write_text(after, "utf-8")
        sizes[sheet.relative_to(site).as_posix()] = (len(before), len(after))
    sheets = sorted((site / "_static").rglob("*.css"))
    characters = set().union(*(drawn_characters(s.read_text("utf-8")) for s in sheets))
    for sheet in sheets:
        lighter = subset_fonts(sheet, characters)
        if lighter != sheet.read_text("utf-8"):
            sheet.write_text(lighter, "utf-8")
    return sizes
