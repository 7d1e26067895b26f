"""Sphinx extension: the site's chrome, what frames every page.

The pinned theme (sphinx-book-theme 1.3 on pydata-sphinx-theme 0.17) needs
a few repairs and the book a few touches of its own, all in
``lbclbook/toolchain/assets/``:

- ``lbcl-chrome.js``: the ☰ (chapters) and page-contents buttons work at
  every width. The theme binds its handlers to the first copy of each
  button in the page, and renders a hidden copy first; every other copy now
  hands its click to the one the theme bound. A link followed inside the
  opened menu closes it; the keyboard's focus stays with the buttons. Wide
  tables get a scrolling cue.
- ``lbcl-chrome.css``: glued numbers in the body's weight (MyST-NB sets
  them bold), tables whose cells wrap and whose captions are never cut,
  the scrolling cue, headings and long file names that fit a phone, the
  landing page's edition line, the logo beside the title, content images
  in proportion at any width, and a print stylesheet.
- The mark (``lbclbook.toolchain.icons``) as logo and favicon, with PNG
  fallbacks for browsers without SVG favicons and for phone home screens.

Sphinx copies static files only when it writes a page: after an edit of the
stylesheet or script alone it found nothing out of date and published the
old file. Every page is now written again when an asset differs from its
published copy (each page links the asset with its checksum, so it should).

The theme renders the hidden copies of the buttons in a header bar whose
only other item is a second search field (pydata-sphinx-theme's default
``navbar_persistent``). That bar is turned off here, which leaves one
search (in the sidebar on a wide screen, a button in the page's header on a
narrow one) and one copy of each button. The script still forwards clicks,
so the buttons keep working if a theme update brings hidden copies back.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

from .icons import ASSETS, PNG_SIZES, SVG_NAME

STYLESHEET = "lbcl-chrome.css"
SCRIPT = "lbcl-chrome.js"
FAVICON_PNG, TOUCH_ICON = PNG_SIZES


def _configure(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(ASSETS)]
    options = config.html_theme_options
    options.setdefault("navbar_persistent", [])  # no header bar with a second search
    config.html_favicon = config.html_favicon or str(ASSETS / SVG_NAME)
    config.html_logo = config.html_logo or str(ASSETS / SVG_NAME)
    logo = options.setdefault("logo", {})
    logo.setdefault("text", config.html_title or config.project)  # the title beside the mark
    logo.setdefault("alt_text", "")  # the mark is decoration: the title names the link


def _icon_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """PNG icons beside the SVG favicon Sphinx links (``pathto`` as the page resolves it)."""
    pathto = context["pathto"]
    png = pathto(f"_static/{FAVICON_PNG}", 1)
    touch = pathto(f"_static/{TOUCH_ICON}", 1)
    context["metatags"] = context.get("metatags", "") + (
        f'\n<link rel="icon" type="image/png" sizes="32x32" href="{png}" />'
        f'\n<link rel="apple-touch-icon" sizes="180x180" href="{touch}" />')


def assets_unpublished(outdir: Path) -> list[str]:
    """The assets missing from the site in ``outdir`` or different there."""
    static = Path(outdir) / "_static"
    return [asset.name for asset in sorted(ASSETS.iterdir())
            if not (static / asset.name).is_file()
            or (static / asset.name).read_bytes() != asset.read_bytes()]


def _rewrite_pages_for_new_assets(app: Sphinx, env: BuildEnvironment, added: set[str],
                                  changed: set[str], removed: set[str]) -> list[str]:
    if app.builder.format != "html":  # the chapter PDFs have no static files
        return []
    return sorted(env.found_docs) if assets_unpublished(app.outdir) else []


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", _configure)
    app.add_css_file(STYLESHEET)
    app.add_js_file(SCRIPT, defer="defer")
    # After sphinx-notfound-page (400), whose pathto the 404 page needs.
    app.connect("html-page-context", _icon_links, priority=900)
    app.connect("env-get-outdated", _rewrite_pages_for_new_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
