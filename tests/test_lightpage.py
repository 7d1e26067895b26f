"""Light pages: no Font Awesome script, no script or stylesheet a page does
not need, figures with their size (``lbclbook.toolchain.lightpage``)."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from urllib.parse import unquote

import pydata_sphinx_theme
from fontTools.ttLib import TTFont

from lbclbook.toolchain.build import SITE
from lbclbook.toolchain.lightcss import purge
from lbclbook.toolchain.lightpage import (FIRST_SCREEN_CHARS, TEMPLATES, defer_scripts,
                                          drop_unused_assets, inline_source, intrinsic_size,
                                          describe_by_title, lighten_page,
                                          resolve_theme_at_once,
                                          size_and_defer_images)

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"


def test_the_template_is_the_themes_but_for_three_documented_changes():
    ours = (TEMPLATES / "static" / "webpack-macros.html").read_text().split("-#}\n", 1)[1]
    theirs = (THEME / "static" / "webpack-macros.html").read_text()
    dropped = [line for line in theirs.splitlines() if line not in ours.splitlines()]
    added = [line for line in ours.splitlines() if line not in theirs.splitlines()]
    assert "styles/theme.css" in dropped[0] and "_static/basic.css" in added[0]
    assert "fontawesome.js" in dropped[2]  # and the comment above it
    assert all('rel="preload"' in line or "Pre-loaded" in line for line in dropped[3:])
    assert len(dropped) == 6 and len(added) == 1, (dropped, added)


def test_pages_load_no_font_awesome_script_but_the_css_draws_their_icons(clean_build):
    site = clean_build / SITE
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert "Font Awesome" in css and "font/woff" in css
    for page in sorted(site.rglob("*.html")):
        if "_static" in page.relative_to(site).parts:
            continue  # the theme's own templates, copied as they are
        html = page.read_text("utf-8")
        assert "fontawesome.js" not in html, page.name
    chapter = (site / "chapters" / "radiotherapy.html").read_text("utf-8")
    for icon in ("fa-file-pdf", "fa-magnifying-glass", "fa-download"):
        assert icon in chapter and f".{icon}:before" in css, icon


def test_the_theme_stylesheet_keeps_only_what_the_site_can_use(clean_build):
    site = clean_build / SITE
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    original = (THEME / "static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert len(css) < len(original) / 2
    assert ".fa-bars:before" in css and ".fa-bicycle:before" not in css
    assert "html[data-theme=dark]" in css  # the dark scheme is a state, never purged


def test_the_icon_font_carries_the_icons_the_stylesheets_draw(clean_build):
    site = clean_build / SITE
    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text()
    assert "fa-solid-900.woff2" not in css
    fonts = re.findall(r"font-weight:900;src:url\(data:font/woff;base64,([^)]*)\)", css)
    assert len(fonts) == 1 and len(fonts[0]) < 10_000  # the whole font: 156 kB
    icons = TTFont(io.BytesIO(base64.b64decode(fonts[0]))).getBestCmap()
    assert 0xF0C9 in icons and 0xF002 in icons  # the menu's bars, the search's magnifier
    assert 0xF206 not in icons  # a bicycle: no page draws one


# --------------------------------------------------------------------------
# The measures, on pieces of pages (no build needed)

HEAD = """<script>document.documentElement.dataset.mode = "auto";</script>
<link rel="stylesheet" href="_static/pygments.css?v=1" />
<link rel="stylesheet" href="_static/lbcl-chrome.css?v=2" />
<script src="_static/documentation_options.js?v=3"></script>
<script>let toggleHintShow = 'Click to show';</script>
<script src="_static/togglebutton.js?v=4"></script>
<script async="async" src="_static/sphinx-thebe.js"></script>
<script>DOCUMENTATION_OPTIONS.pagename = 'chapters/a';</script>
<script type="application/json">{"a": 1}</script>
<script src="_static/searchtools.js"></script>
<script src="searchindex.js"></script>
"""


def test_scripts_run_after_parsing_in_their_order_but_the_colour_mode():
    deferred = defer_scripts(HEAD)
    tags = [line for line in deferred.splitlines() if line.startswith("<script")]
    assert tags[0] == HEAD.splitlines()[0]  # runs at once, before anything is drawn
    assert 'defer src="_static/documentation_options.js?v=3"' in tags[1]
    assert tags[2] == HEAD.splitlines()[4]  # a setting: runs before the file that reads it
    assert tags[4] == '<script async="async" src="_static/sphinx-thebe.js"></script>'
    assert inline_source(tags[5]) == "DOCUMENTATION_OPTIONS.pagename = 'chapters/a';"
    assert "defer" in tags[5] and "defer" not in tags[6]  # data, not code
    assert defer_scripts(deferred) == deferred  # a page written before stays as it is


def test_the_colour_mode_script_resolves_auto_to_the_readers_scheme_at_once():
    resolved = resolve_theme_at_once(HEAD)
    first = resolved.split("</script>")[0]
    assert 'matchMedia("(prefers-color-scheme: dark)")' in first and "dataset.theme" in first
    assert resolved.split("</script>", 1)[1] == HEAD.split("</script>", 1)[1]
    assert resolve_theme_at_once(resolved) == resolved


def test_a_page_without_a_description_is_described_by_its_title():
    head = "<title>Search &#8212; The book</title>\n"
    described = describe_by_title(head)
    assert '<meta name="description" content="Search &#8212; The book" />' in described
    assert describe_by_title(described) == described


def test_a_page_loads_the_search_and_feature_assets_only_where_used():
    plain = drop_unused_assets(HEAD, "<body><p>text</p></body>", "chapters/a.html")
    assert "searchindex.js" not in plain and "searchtools.js" not in plain
    assert "pygments.css" not in plain and "togglebutton.js" not in plain
    assert "lbcl-chrome.css" in plain and "documentation_options.js" in plain
    body = '<body><div class="admonition dropdown"><div class="highlight"><pre>x</pre></div></div>'
    used = drop_unused_assets(HEAD, body, "search.html")
    assert all(name in used for name in ("searchindex.js", "pygments.css", "togglebutton.js"))


def test_a_figure_gets_its_size_and_waits_below_the_first_screen(tmp_path):
    (tmp_path / "fig.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="555pt" height="167.88pt" '
        'viewBox="0 0 555 167.88"></svg>')
    (tmp_path / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32"></svg>')
    assert intrinsic_size(tmp_path / "fig.svg") == (740, 224)  # 1 pt = 4/3 CSS px
    assert intrinsic_size(tmp_path / "mark.svg") == (64, 32)
    text = "<p>" + "word " * (FIRST_SCREEN_CHARS // 5 + 1) + "</p>"
    main = f'<main><img alt="a" src="fig.svg" />{text}<img alt="b" src="mark.svg" /></main>'
    first, second = size_and_defer_images(main, tmp_path).split(text)
    assert 'width="740" height="224"' in first and "loading" not in first
    assert 'width="64" height="32"' in second and 'loading="lazy"' in second


def test_lightening_a_page_twice_changes_nothing_more(tmp_path):
    (tmp_path / "fig.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>')
    page = tmp_path / "page.html"
    html = f'<html><head>{HEAD}</head><body><main><img alt="a" src="fig.svg" /></main></body></html>'
    once = lighten_page(html, page, tmp_path)
    assert once != html and lighten_page(once, page, tmp_path) == once
    assert "pagename" in unquote(once)


def test_the_purge_keeps_what_a_page_or_script_can_use_and_drops_the_rest():
    css = ('/*! licence */@charset "UTF-8";.used,.unused{color:red}.unused{color:blue}'
           '@media (min-width:1px){.unused b{x:y}.used:hover:not(.unused){x:z}}'
           '@font-face{font-family:x}html[data-theme=dark] .used{a:b}'
           '.tip-top{c:d}.content:before{content:"{.unused}"}')
    words = {"used", "html", "content"}
    assert purge(css, words, prefixes=("tip-",)) == (
        '/*! licence */@charset "UTF-8";.used{color:red}'
        '@media (min-width:1px){.used:hover:not(.unused){x:z}}'
        '@font-face{font-family:x}html[data-theme=dark] .used{a:b}'
        '.tip-top{c:d}.content:before{content:"{.unused}"}')
