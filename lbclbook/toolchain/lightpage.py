"""Sphinx extension: light pages that show their text fast on a phone.

Fellows read the book on phones, on hospital Wi-Fi. Lighthouse (``bench/
lighthouse.py``: a mid-range phone on a slow 4G network) found a chapter's
text waiting 3 to 4 s for files it did not need yet. Each measure below is
one of the standard ones, applied to every page and every asset, whoever
added it (the theme, an extension, the book), not to a list of today's files:

1. **No 1.5 MB Font Awesome script.** pydata-sphinx-theme puts
   ``fontawesome.js`` on every page so that authors can add icons of their
   own; the theme's CSS and web font already draw the book's icons. A copy of
   the theme's ``static/webpack-macros.html`` (first on the template path)
   leaves it out, links Sphinx's ``basic.css`` without the ``@import`` round
   trip and does not preload the theme's two deferred scripts (preloaded,
   they compete with the stylesheets). ``tests/test_lightpage.py`` checks the
   copy against the pinned theme.
2. **No script blocks the first paint.** Every script file in a page's
   head gets ``defer``: it runs once the page is parsed, in the order the
   page lists it. An inline script that only sets variables (a setting such
   as ``let toggleHintShow = 'Click to show';``) still runs at once, before
   any file that reads it; any other inline script after a file waits its
   turn after that file (as a ``data:`` address, the one way to defer an
   inline script), since it may use what the file defines
   (``DOCUMENTATION_OPTIONS.pagename = ...``). The theme's inline script
   that sets the colour mode runs first, before anything is drawn, and now
   also resolves "auto" to the reader's light or dark scheme: the theme left
   that to its deferred script, so a page drawn before it ran (sooner, now
   that nothing blocks) flashed light in dark mode, and was then restyled
   whole.
3. **A page loads only what it uses.** The search's scripts and its whole
   index (searchtools.js, language_data.js, searchindex.js: 30 kB, in every
   page's head) load on the search page alone; the search field of every
   page opens that page. A theme asset listed in ``FEATURES`` loads only on
   a page with an element that needs it (tabs, code to copy, dropdowns, a
   live-code button).
4. **Figures keep their place and wait their turn.** A content image gets
   the ``width`` and ``height`` of its file (an SVG's own size), so the page
   does not jump as it arrives, and ``loading="lazy"`` when more than a
   phone screen of text comes before it.
5. **Stylesheets without dead rules** (``lbclbook.toolchain.lightcss``): the
   theme's 400 kB stylesheet shrinks to the rules some page of the site can
   use.

Pages that Sphinx writes without a text of their own to describe them
(the search page, the index, the 404 page) get their title as their search
engines' description (Lighthouse, SEO: "document has no meta description").

Measures 2 to 5 rewrite the built site when Sphinx has written it
(``build-finished``), so they see every page as a reader gets it; they are
idempotent, so the pages an incremental build leaves alone stay as they are.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote

from bs4 import BeautifulSoup
from sphinx.application import Sphinx
from sphinx.config import Config

from . import lightcss

TEMPLATES = Path(__file__).parent / "templates"
SEARCH_PAGE = "search.html"
# Sphinx's search: the search page runs it; other pages only link there.
SEARCH_SCRIPTS = ("searchtools.js", "language_data.js", "searchindex.js")
# A theme asset, and what on a page needs it (a CSS selector). A page with
# no such element does not load the asset; assets not listed load everywhere.
FEATURES = {
    "sphinx-design.min.css": '[class*="sd-"]',
    "design-tabs.js": ".sd-tab-set",
    "sphinx-thebe.css": ".thebe-launch-button",
    "sphinx-thebe.js": ".thebe-launch-button",
    "pygments.css": ".highlight",
    "copybutton.css": "div.highlight pre",
    "copybutton.js": "div.highlight pre",
    "clipboard.min.js": "div.highlight pre",
    "togglebutton.css": ".toggle, .admonition.dropdown, details.toggle-details",
    "togglebutton.js": ".toggle, .admonition.dropdown, details.toggle-details",
}
# About a phone screen of text (390 px wide: some 45 characters a line, 30
# lines under the header): an image after more text than this starts below
# the first screen, so it loads when the reader scrolls towards it.
FIRST_SCREEN_CHARS = 1000
NOT_PAGES = ("_static", "_sources", "_images", "_downloads")
PX_PER_UNIT = {"": 1.0, "px": 1.0, "pt": 4 / 3, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}

# The theme's first script sets the colour mode ("auto", "light", "dark");
# this resolves "auto" as the theme's deferred script later does.
COLOUR_MODE = "document.documentElement.dataset.mode ="
RESOLVE_THEME = """
    { const root = document.documentElement, mode = root.dataset.mode;
      root.dataset.theme = mode === "light" || mode === "dark" ? mode
        : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"; }
  """
# An inline script that only declares variables from literals: a setting.
SETTING = re.compile(r"""\s*(?:(?:let|const|var)\s+[\w$]+\s*=\s*
                         (?:"[^"]*"|'[^']*'|[\d.+-]+|true|false|null)\s*(?:;\s*|$))+""", re.X)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.S)
STYLESHEET = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*>\s*')
IMAGE = re.compile(r"<img\b[^>]*>")
TAG = re.compile(r"<[^>]+>")
SRC = re.compile(r'\b(?:src|href)="([^"]*)"')


# --------------------------------------------------------------------------
# 1. The template


def _add_templates(app: Sphinx, config: Config) -> None:
    config.templates_path = [str(TEMPLATES), *config.templates_path]


# --------------------------------------------------------------------------
# 2. Scripts


def _attribute(attributes: str, name: str) -> bool:
    return re.search(rf"(?:^|\s){name}(?:\s|=|$)", attributes) is not None


def defer_scripts(head: str) -> str:
    """Every script of ``head`` run after parsing, in the order it is listed."""
    deferring = False

    def defer(match: re.Match) -> str:
        nonlocal deferring
        attributes, body = match.group(1), match.group(2)
        executable = not re.search(r'\btype="(?!text/javascript|module)', attributes)
        if _attribute(attributes, "src"):
            if _attribute(attributes, "async"):
                return match.group(0)
            deferring = True
            if _attribute(attributes, "defer") or 'type="module"' in attributes:
                return match.group(0)
            return f"<script defer{attributes}>{body}</script>\n"
        if not deferring or not executable or SETTING.fullmatch(body):
            return match.group(0)
        source = "data:text/javascript," + quote(body.strip(), safe=" ;=',()*!:/.+-_$[]{}")
        return f'<script defer{attributes} src="{source}"></script>\n'

    return SCRIPT.sub(defer, head)


def resolve_theme_at_once(head: str) -> str:
    """``head`` with the colour-mode script also setting the light or dark theme."""
    def resolve(match: re.Match) -> str:
        body = match.group(2)
        if COLOUR_MODE not in body or "prefers-color-scheme" in body:
            return match.group(0)
        return match.group(0).replace(body, body.rstrip() + RESOLVE_THEME, 1)

    return SCRIPT.sub(resolve, head, count=1)


def describe_by_title(head: str) -> str:
    """``head`` with a description for search engines: its title, if it has none."""
    title = re.search(r"<title>(.*?)</title>", head, re.S)
    if 'name="description"' in head or not title:
        return head
    description = f'<meta name="description" content="{title.group(1).strip()}" />\n'
    return head.replace(title.group(0), description + "    " + title.group(0), 1)


def inline_source(tag: str) -> str:
    """The code of a deferred inline script (``data:`` address), or ''."""
    found = re.search(r'src="data:text/javascript,([^"]*)"', tag)
    return unquote(found.group(1)) if found else ""


# --------------------------------------------------------------------------
# 3. Assets a page does not use


def _asset_name(tag: str) -> str:
    found = SRC.search(tag)
    return found.group(1).split("?")[0].rsplit("/", 1)[-1] if found else ""


def drop_unused_assets(head: str, body: str, page_name: str) -> str:
    """``head`` without the search's scripts (but on the search page) and
    without the ``FEATURES`` assets nothing in ``body`` uses."""
    soup = None
    search_as_you_type = "search_as_you_type = true" in unquote(head)  # the theme's option

    def needed(match: re.Match) -> str:
        nonlocal soup
        name = _asset_name(match.group(0))
        if name in SEARCH_SCRIPTS and page_name != SEARCH_PAGE and not search_as_you_type:
            return ""
        if name in FEATURES:
            soup = soup or BeautifulSoup(body, "lxml")
            return match.group(0) if soup.select_one(FEATURES[name]) else ""
        return match.group(0)

    return STYLESHEET.sub(needed, SCRIPT.sub(needed, head))


# --------------------------------------------------------------------------
# 4. Images


def intrinsic_size(image: Path) -> tuple[int, int] | None:
    """The CSS pixel size of an image file, if it says (SVG: its width and
    height, or its viewBox; other formats: Pillow)."""
    if not image.is_file():
        return None
    if image.suffix.lower() == ".svg":
        root = ET.parse(image).getroot()
        sizes = [_css_px(root.get(side)) for side in ("width", "height")]
        if None in sizes and root.get("viewBox"):
            sizes = [float(v) for v in root.get("viewBox").replace(",", " ").split()[2:]]
        return (round(sizes[0]), round(sizes[1])) if None not in sizes else None
    from PIL import Image

    with Image.open(image) as opened:
        return opened.size


def _css_px(length: str | None) -> float | None:
    found = re.fullmatch(r"\s*([\d.]+)\s*([a-z]*)\s*", length or "")
    if not found or found.group(2) not in PX_PER_UNIT:
        return None  # a percentage, or none given
    return float(found.group(1)) * PX_PER_UNIT[found.group(2)]


def size_and_defer_images(main: str, folder: Path) -> str:
    """Content images (in ``main``, the page's ``<main>``) with their size,
    and lazy when more than a phone screen of text comes before them."""
    pieces, last, text_before = [], 0, 0
    for match in IMAGE.finditer(main):
        text_before += len(" ".join(TAG.sub(" ", main[last:match.start()]).split()))
        tag = match.group(0)
        source = re.search(r'\bsrc="([^"]+)"', tag)
        if source and " width=" not in tag and " height=" not in tag \
                and ":" not in source.group(1):
            size = intrinsic_size(folder / unquote(source.group(1).split("?")[0]))
            if size:
                tag = tag.replace("<img ", f'<img width="{size[0]}" height="{size[1]}" ', 1)
        if text_before > FIRST_SCREEN_CHARS and " loading=" not in tag:
            tag = tag.replace("<img ", '<img loading="lazy" ', 1)
        pieces += [main[last:match.start()], tag]
        last = match.end()
    return "".join(pieces) + main[last:]


# --------------------------------------------------------------------------
# The built site


def lighten_page(html: str, page: Path, site: Path) -> str:
    """A built page with measures 2 to 4 applied."""
    if "</head>" not in html:
        return html
    head, body = html.split("</head>", 1)
    head = drop_unused_assets(head, body, page.relative_to(site).as_posix())
    head = defer_scripts(resolve_theme_at_once(describe_by_title(head)))
    start, end = body.find("<main"), body.rfind("</main>")
    if 0 <= start < end:
        body = body[:start] + size_and_defer_images(body[start:end], page.parent) + body[end:]
    return head + "</head>" + body


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] not in NOT_PAGES)


def lighten_site(site: Path, own_stylesheets: set[str]) -> None:
    """Measures 2 to 5 on the built site at ``site``, in place."""
    for page in pages(site):
        html = page.read_text("utf-8")
        lighter = lighten_page(html, page, site)
        if lighter != html:
            page.write_text(lighter, "utf-8")
    lightcss.purge_site(site, keep=own_stylesheets)


def _own_stylesheets(app: Sphinx) -> set[str]:
    """The stylesheets of ``html_static_path`` (the book's own, written for it:
    purged, they would differ from their sources and look unpublished)."""
    folders = [Path(app.confdir, entry) for entry in app.config.html_static_path]
    return {sheet.name for folder in folders if folder.is_dir() for sheet in folder.rglob("*.css")}


def _on_build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        lighten_site(Path(app.outdir), _own_stylesheets(app))


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _add_templates)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
