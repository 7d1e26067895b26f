"""The built site in a real browser: every page, light and dark.

One session fixture serves the clean build on 127.0.0.1, opens every page in
Debian's Chromium in both colour schemes and records what happened; the
tests then check one property each over all of it. The last test proves that
the recorders catch what they are meant to catch, on a page made broken on
purpose.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from lbclbook import toc
from lbclbook.toolchain.build import SITE
from lbclbook.plots import MIN_ALT_LENGTH
from lbclbook.toolchain.stamps import tables_read

from sitebrowser import (CHAPTERS, LAPTOP, MENUS, PHONE, REDIRECT, SECTIONS, SERIOUS, LocalSite, Tab,
                         anchors, axe_source, page_layout, pages, press, reader_pages, split_fragment,
                         tables_wider_than_the_article, try_collapsing_sidebar, try_menu)

SCHEMES = ("light", "dark")
# Drug names a chapter may mention; the search test uses those the book has.
DRUG_NAMES = ("lenalidomide", "nivolumab", "pembrolizumab", "ibrutinib", "glofitamab",
              "epcoritamab", "polatuzumab", "tafasitamab", "loncastuximab")
FIGURE_CONTRAST = 7.0  # WCAG AAA for text: figure text on its background
NOT_SEARCHED = ("search.html", "genindex.html")  # pages the search index leaves out
DOWNLOADABLE = ("data", "figures")
# The page's own text: the article, without the previous/next links under it.
# Every text node of the article, hidden answers included (the search index
# holds them too), joined by spaces; not the previous/next links under it.
ARTICLE_TEXT = """() => {
  const article = document.querySelector('main article') || document.querySelector('main');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) parts.push(walker.currentNode.nodeValue);
  return parts.join(' ');
}"""  # chapters offer tables; the teachers' page, figures
# Each glued number's font weight, beside the weight of the text around it.
GLUE_WEIGHTS = """() => [...document.querySelectorAll('main .pasted-text')].map(span => ({
  text: span.textContent, weight: getComputedStyle(span).fontWeight,
  around: getComputedStyle(span.parentElement).fontWeight}))"""
# The page's icons: favicon, its PNG fallback, the phone's home-screen icon.
ICONS = """() => [...document.querySelectorAll('link[rel~="icon"], link[rel="apple-touch-icon"]')]
  .map(link => ({rel: link.rel, type: link.type, href: link.href}))"""


@dataclass
class Seen:
    """What one page did in one colour scheme."""

    page: str        # as requested
    shown: str       # as displayed (after a redirect)
    status: int | None
    console_errors: list[str]
    failed_requests: list[str]
    dialogs: list[str]
    images: list[dict]
    links: list[dict]
    violations: list[dict]
    text: str
    figures: list[bytes] = field(default_factory=list)
    glued: list[dict] = field(default_factory=list)
    icons: list[dict] = field(default_factory=list)


@pytest.fixture(scope="session")
def site(clean_build):
    # The site as make book publishes it. Its pages offer no PDF (only make
    # pdf makes them: test_offers.py); so the browser need not wait for the
    # slowest shared job.
    with LocalSite(clean_build / SITE) as served:
        yield served


@dataclass
class Browsed:
    """Every page in every colour scheme, and the requests that were blocked."""

    records: dict[tuple[str, str], Seen]
    blocked: list[str]

    def each(self, scheme: str | None = None) -> list[Seen]:
        return [record for (s, _), record in self.records.items()
                if scheme is None or s == scheme]


@pytest.fixture(scope="session")
def seen(browser, site, tell) -> Browsed:
    """Every page of the site, opened in each colour scheme."""
    axe = axe_source()
    browsed = Browsed({}, [])
    for scheme in SCHEMES:
        tab = Tab(browser, site, color_scheme=scheme)
        for page in pages(site.folder):
            browsed.records[scheme, page] = _look_at(tab, site, page, axe)
        browsed.blocked += tab.blocked
        tab.close()
    tell(f"browser: {len(pages(site.folder))} pages visited in each of {len(SCHEMES)} "
         f"colour schemes; {len(browsed.blocked)} requests to other hosts blocked")
    return browsed


def _look_at(tab: Tab, site: LocalSite, page: str, axe: str) -> Seen:
    visit = tab.open(site.url + page)
    redirect = REDIRECT.search((site.folder / page).read_text("utf-8"))
    if redirect:
        visit.page.wait_for_url(site.url + redirect.group(1))
        visit.page.wait_for_load_state("load")
    visit.load_every_image()  # those below the first screen wait for the reader (lazy)
    figures = [image.screenshot() for image in visit.page.locator("main figure img").all()]
    record = Seen(page=page, shown=site.path_of(visit.page.url), status=visit.status,
                  console_errors=visit.console_errors, failed_requests=visit.failed_requests,
                  dialogs=visit.dialogs, images=visit.images(), links=visit.links(),
                  violations=visit.axe(axe), text=visit.page.evaluate(ARTICLE_TEXT),
                  figures=figures, glued=visit.page.evaluate(GLUE_WEIGHTS),
                  icons=visit.page.evaluate(ICONS))
    visit.page.close()
    return record


# --------------------------------------------------------------------------
# Loading


def test_every_page_loads_without_console_errors_or_failed_requests(seen, site):
    assert len(seen.each("light")) == len(pages(site.folder)) >= 4
    for record in seen.each():
        assert record.status == 200, record.page
        assert not record.console_errors, (record.page, record.console_errors)
        assert not record.failed_requests, (record.page, record.failed_requests)
        assert not record.dialogs, (record.page, record.dialogs)


def test_no_request_leaves_the_local_server(seen):
    assert not seen.blocked, f"pages asked other hosts for: {sorted(set(seen.blocked))}"


# --------------------------------------------------------------------------
# Images


def test_every_content_image_has_meaningful_alt_text_and_renders(seen, tell):
    content = set()
    for record in seen.each():
        for image in record.images:
            assert image["complete"] and image["width"] > 0, (record.page, image["src"])
            assert image["alt"] is not None, (record.page, image["src"])
            if image["content"]:
                content.add((record.shown, image["src"]))
                alt = " ".join(image["alt"].split())
                assert len(alt) >= MIN_ALT_LENGTH, (record.page, image["src"], alt)
                assert Path(image["src"]).name not in alt, (record.page, alt)
    assert len(content) >= 4
    tell(f"browser: {len(content)} content images render, with alt text, in both schemes")


def test_figures_keep_readable_contrast_in_both_colour_schemes(seen):
    measured = 0
    for record in seen.each():
        for png in record.figures:
            ratio = figure_contrast(png)
            assert ratio >= FIGURE_CONTRAST, (record.page, f"{ratio:.1f}:1")
            measured += 1
    assert measured >= 2 * 4


def figure_contrast(png: bytes) -> float:
    """Contrast of a figure's darkest ink on its background, as displayed.

    The background is the most common colour of the screenshot; the ink is
    the darkest colour that covers at least a few pixels (text and axes).
    """
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = image.getcolors(maxcolors=image.width * image.height)
    background = max(colours)[1]
    ink = min((luminance(c) for count, c in colours if count >= 5))
    return (luminance(background) + 0.05) / (ink + 0.05)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --------------------------------------------------------------------------
# Links


def test_every_internal_link_and_anchor_resolves(seen, site, tell):
    targets: dict[str, set[str]] = {}
    external = 0
    for record in seen.each("light"):
        for link in record.links:
            base, fragment = split_fragment(link["href"])
            if base.startswith(site.url):
                targets.setdefault(base, set()).add(fragment)
            elif base.startswith("http"):
                external += 1  # never fetched: the machines have no internet
    broken = []
    for base, fragments in sorted(targets.items()):
        status, body = fetch(base)
        if status != 200:
            broken.append(f"{base}: HTTP {status}")
        elif base.endswith(".html"):
            missing = fragments - anchors(body.decode("utf-8")) - {""}
            broken += [f"{base}#{fragment}: no such anchor" for fragment in sorted(missing)]
    assert not broken, broken
    checked = sum(len(f) for f in targets.values())
    assert checked >= 20
    tell(f"browser: {len(targets)} internal targets and {checked} target#anchor pairs "
         f"resolve; {external} external links not fetched")


def test_every_download_link_serves_its_data_file(seen, site, clean_build, tell):
    downloads = {link["href"] for record in seen.each("light")
                 for link in record.links if link["download"]}
    for url in sorted(downloads):
        status, body = fetch(url)
        assert status == 200, url
        name = Path(url).name
        source = next((clean_build / folder / name for folder in DOWNLOADABLE
                       if (clean_build / folder / name).is_file()), None)
        assert source, f"{url} is not a file of {' or '.join(DOWNLOADABLE)}"
        assert body == source.read_bytes(), f"{url} differs from {source.name}"
    assert downloads
    tell(f"browser: {len(downloads)} download links serve their data file byte for byte")


def test_every_chapter_offers_the_tables_it_reads_for_download(seen, clean_build):
    offered = 0
    for record in seen.each("light"):
        source = clean_build / Path(record.shown).with_suffix(".md")
        if not source.is_file() or "show_downloads()" not in source.read_text():
            continue
        csvs = {Path(link["href"]).stem for link in record.links
                if link["download"] and link["href"].endswith(".csv")}
        all_tables = [r["name"] for r in json.loads(
            (clean_build / "data" / "datapackage.json").read_text())["resources"]]
        assert csvs == set(tables_read(source.read_text(), all_tables)), record.shown
        offered += 1
    assert offered >= 1


def fetch(url: str) -> tuple[int, bytes]:
    """GET ``url`` from the local server, never through a proxy."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


# --------------------------------------------------------------------------
# Search


def test_search_finds_drug_names_on_the_pages_that_mention_them(seen, browser, site, tell):
    texts = {r.shown: r.text.lower() for r in seen.each("light") if r.shown not in NOT_SEARCHED}
    mentioned = {term: {page for page, text in texts.items() if re.search(rf"\b{term}\b", text)}
                 for term in DRUG_NAMES}
    mentioned = {term: where for term, where in mentioned.items() if where}
    assert mentioned, "no page mentions any of the drug names the test knows"
    tab = Tab(browser, site)
    for term, where in mentioned.items():
        assert search(tab, site, term) == where, term
    tab.close()
    tell(f"browser: search finds {', '.join(sorted(mentioned))} on the pages that mention them")


def search(tab: Tab, site: LocalSite, term: str) -> set[str]:
    """The pages the site's own search lists for ``term``."""
    visit = tab.open(f"{site.url}search.html?q={term}")
    visit.page.wait_for_function(
        "() => document.querySelector('#search-results .search-summary')?.innerText")
    hrefs = visit.page.eval_on_selector_all("#search-results ul.search li > a",
                                            "links => links.map(a => a.href)")
    assert not visit.console_errors and not visit.failed_requests, term
    visit.page.close()
    return {site.path_of(href) for href in hrefs}


def test_each_page_shows_one_search_on_a_laptop_and_on_a_phone(browser, site, tell):
    """One search control in view at a time: the sidebar's field on a laptop,
    the header's button on a phone (the menu, once opened, shows no other)."""
    shown = {}
    for name, device in (("laptop", LAPTOP), ("phone", PHONE)):
        tab = Tab(browser, site, **device)
        for page in reader_pages(site.folder):
            if page in NOT_SEARCHED:
                continue  # the search page has its own form
            visit = tab.open(site.url + page)
            shown[name, page] = visit.page.locator(SEARCH_CONTROLS).locator("visible=true").count()
            visit.page.close()
        tab.close()
    assert set(shown.values()) == {1}, {k: v for k, v in shown.items() if v != 1}
    tell(f"browser: one search control in view on {len(shown) // 2} pages, laptop and phone")


SEARCH_CONTROLS = ".search-button, .search-button-field, form.bd-search input[type=search]"


# --------------------------------------------------------------------------
# The menus: the book's chapters (☰) and the page's sections, at every width

SYNTHESIS = "chapters/synthesis.html"
KEYBOARD_PAGES = ("intro.html", SYNTHESIS)  # Enter and Space are tried here; taps everywhere


@pytest.mark.parametrize("scheme", SCHEMES)
def test_on_a_phone_both_menus_open_and_close_on_every_page(browser, site, scheme, tell):
    """Tapped (or, on two pages, pressed with Enter or Space from the
    keyboard): each menu shows its links, and a tap beside it (or Escape)
    closes it again."""
    tab = Tab(browser, site, color_scheme=scheme, **PHONE)
    results = {}
    for page in reader_pages(site.folder):
        visit = tab.open(site.url + page)
        for menu in MENUS:
            for how in ("tap", "Enter", "Space") if page in KEYBOARD_PAGES else ("tap",):
                results[page, menu.name, how] = try_menu(visit.page, menu, how)
        assert not visit.console_errors, (page, visit.console_errors)
        visit.page.close()
    tab.close()
    failed = {key: result for key, result in results.items() if result not in ("works", "none")}
    assert not failed, failed
    for menu in MENUS:  # every page has the chapters; most have sections
        works = {page for (page, name, _), result in results.items()
                 if name == menu.name and result == "works"}
        assert len(works) >= (len(reader_pages(site.folder)) if menu is CHAPTERS else 10), menu.name
    tell(f"browser ({scheme}): on a phone, both menus open and close on every page by tap, "
         f"and by Enter and Space on {len(KEYBOARD_PAGES)} ({sum(r == 'works' for r in results.values())} checks)")


# What the theme rendered before the site's chrome removed it (its header
# bar): hidden copies of both buttons, first in the page, which the theme's
# handlers bind to.
HIDDEN_FIRST_COPIES = ('<body\\1><div style="display: none">'
                       '<button class="sidebar-toggle primary-toggle">☰</button>'
                       '<button class="sidebar-toggle secondary-toggle">≡</button></div>')


def test_the_menus_still_open_when_the_theme_binds_a_hidden_copy_of_their_buttons(browser, site):
    """The bug the site's script repairs, put back: the theme binds its
    handlers to hidden copies rendered first; the visible buttons still work."""
    tab = Tab(browser, site, **PHONE)
    page = tab.context.new_page()

    def with_hidden_copies(route):
        html = route.fetch().text()
        route.fulfill(body=re.sub(r"<body([^>]*)>", HIDDEN_FIRST_COPIES, html, count=1),
                      content_type="text/html")

    page.route(site.url + SYNTHESIS, with_hidden_copies)
    page.goto(site.url + SYNTHESIS)
    assert page.locator(CHAPTERS.toggle).count() == 2 == page.locator(SECTIONS.toggle).count()
    assert page.locator(CHAPTERS.toggle).first.is_hidden()
    for menu in MENUS:
        assert try_menu(page, menu, "tap") == "works", menu.name
    tab.close()


def test_the_menu_buttons_work_by_mouse_and_keyboard_at_tablet_and_laptop_widths(browser, site):
    expected = {  # width: (chapters, sections)
        800: ("dialog", "dialog"),
        1000: ("collapses", "dialog"),    # the chapters' sidebar shows from 992 px
        1366: ("collapses", "in place"),  # the sections show beside the page from 1200 px
    }
    for width, (chapters, sections) in expected.items():
        tab = Tab(browser, site, viewport={"width": width, "height": 900})
        page = tab.open(site.url + SYNTHESIS).page
        for how in ("click", "Enter"):
            if chapters == "dialog":
                assert try_menu(page, CHAPTERS, how) == "works", (width, how)
            else:
                assert try_collapsing_sidebar(page, how) == "works", (width, how)
        if sections == "dialog":
            assert try_menu(page, SECTIONS, "click") == "works", width
        else:
            assert not SECTIONS.button(page).count() and SECTIONS.visible_links(page), width
        tab.close()


def test_on_a_phone_the_synthesis_reaches_any_chapter_in_two_taps(browser, site, tell):
    tab = Tab(browser, site, **PHONE)
    page = tab.open(site.url + SYNTHESIS).page
    chapters = [f"chapters/{slug}.html" for slug in toc.chapter_numbers()]
    reached = []
    for chapter in chapters:
        if chapter == SYNTHESIS:
            continue
        page.goto(site.url + SYNTHESIS)
        CHAPTERS.button(page).first.tap()                                        # tap 1
        link = next(a for a in page.locator(f"{CHAPTERS.dialog}[open] {CHAPTERS.links}")
                    .locator("visible=true").all()
                    if a.evaluate("a => a.href") == site.url + chapter)
        link.tap()                                                               # tap 2
        page.wait_for_url(site.url + chapter)
        reached.append(chapter)
    tab.close()
    assert len(reached) == len(chapters) - 1 >= 7
    tell(f"browser: on a phone, the synthesis reaches each of {len(reached)} chapters in two taps")


def test_on_a_phone_the_synthesis_reaches_any_section_in_two_taps(browser, site, tell):
    """Tap the contents button, tap a section: the menu closes and the
    section's heading is in view, not under the page's header."""
    tab = Tab(browser, site, **PHONE)
    page = tab.open(site.url + SYNTHESIS).page
    sections = page.eval_on_selector_all(f"{SECTIONS.sidebar} {SECTIONS.links}",
                                         "links => links.map(a => a.getAttribute('href'))")
    for href in sections:
        press(page, SECTIONS.button(page).first, "tap")                          # tap 1
        page.locator(f"{SECTIONS.dialog}[open] {SECTIONS.links}[href='{href}']").tap()  # tap 2
        page.wait_for_function("() => !document.querySelector('#pst-secondary-sidebar-modal').open")
        page.wait_for_timeout(300)  # the scroll to the section
        assert heading_in_view(page, href.lstrip("#")), href
    tab.close()
    assert len(sections) >= 5
    tell(f"browser: on a phone, the synthesis reaches each of {len(sections)} sections in two taps")


def heading_in_view(page, section_id: str) -> bool:
    """The section's heading is on screen and the topmost thing where it is drawn."""
    return page.evaluate("""(id) => {
      const heading = document.getElementById(id).querySelector('h1, h2, h3, h4');
      const box = heading.getBoundingClientRect();
      const x = box.left + Math.min(box.width / 2, 40), y = box.top + box.height / 2;
      const top = document.elementFromPoint(x, y);
      return box.top >= 0 && box.bottom <= window.innerHeight && !!top && heading.contains(top);
    }""", section_id)


# --------------------------------------------------------------------------
# Glued numbers and icons


def test_glued_numbers_have_the_weight_of_the_text_around_them(seen, tell):
    glued = [(record.page, g) for record in seen.each() for g in record.glued]
    heavier = [(page, g) for page, g in glued if g["weight"] != g["around"]]
    assert not heavier, heavier[:5]
    assert len(glued) >= 50
    tell(f"browser: {len(glued)} glued numbers in the weight of their text, both schemes")


def test_every_page_has_a_favicon_that_resolves(seen, tell):
    icons = set()
    for record in seen.each("light"):
        svg = [i for i in record.icons if i["href"].endswith(".svg")]
        png = [i for i in record.icons if i["href"].endswith(".png")]
        assert svg and png, (record.page, record.icons)
        icons |= {i["href"] for i in record.icons}
    for href in sorted(icons):
        status, body = fetch(href)
        assert status == 200 and body, href
        if href.endswith(".png"):
            assert Image.open(io.BytesIO(body)).size[0] >= 32, href
        else:
            assert body.lstrip().startswith(b"<svg"), href
    tell(f"browser: every page links {', '.join(sorted(Path(i).name for i in icons))}; all resolve")


# --------------------------------------------------------------------------
# Tables on a laptop and on a phone

@pytest.fixture(scope="module")
def layouts(browser, site) -> dict[tuple[str, str], dict]:
    """Each page's tables and figures as a laptop and a phone show them."""
    found = {}
    for name, device in (("laptop", LAPTOP), ("phone", PHONE)):
        tab = Tab(browser, site, **device)
        for page in reader_pages(site.folder):
            visit = tab.open(site.url + page)
            found[name, page] = page_layout(visit.page)
            visit.page.close()
        tab.close()
    return found


def test_on_a_laptop_no_table_is_wider_than_the_article_but_by_its_words(layouts, tell):
    """At 1366 px every table's box fits the article, and a table wider than
    the article is as narrow as its longest words allow: nothing but its
    content (too many columns, long words) keeps it from wrapping."""
    laptop = {page: layout for (device, page), layout in layouts.items() if device == "laptop"}
    tables = [t for layout in laptop.values() for t in layout["tables"]]
    boxes = [(page, t["id"]) for page, layout in laptop.items() for t in layout["tables"]
             if t["box"] > layout["article"] + 1]
    assert not boxes, boxes
    wide = [(page, t) for page, layout in laptop.items()
            for t in tables_wider_than_the_article(layout)]
    forced = [(page, t["id"], round(t["width"]), round(t["narrowest"]))
              for page, t in wide if t["width"] > t["narrowest"] + 1]
    assert not forced, f"tables kept wider than their words need: {forced}"
    assert len(tables) >= 20
    tell(f"browser: on a laptop (1366 px) {len(tables) - len(wide)} of {len(tables)} tables fit "
         f"the article; wider by their content: {', '.join(t['id'] for _, t in wide) or 'none'}")


def test_on_a_phone_wide_tables_scroll_in_their_box_and_the_page_does_not(layouts, tell):
    phone = {page: layout for (device, page), layout in layouts.items() if device == "phone"}
    assert not [page for page, layout in phone.items() if layout["page_scrolls"]]
    scrolling = [(page, t) for page, layout in phone.items() for t in layout["tables"]
                 if t["scrolls"]]
    assert scrolling, "no table is wider than a phone: nothing was tested"
    cut = [(page, t["id"]) for page, layout in phone.items() for t in layout["tables"]
           if t["caption_cut"]]
    assert not cut, cut
    tell(f"browser: on a phone (390 px) {len(scrolling)} wide tables scroll in their own box, "
         "captions whole, no page wider than the screen")


def test_on_a_phone_a_wide_table_says_it_scrolls(browser, site):
    tab = Tab(browser, site, **PHONE)
    page = tab.open(site.url + SYNTHESIS).page
    box = page.locator(".pst-scrollable-table-container.lbcl-scrolls").first
    assert box.evaluate("b => b.previousElementSibling.classList.contains('lbcl-scroll-hint')")
    assert "lbcl-more-right" in box.get_attribute("class")
    box.evaluate("b => b.scrollLeft = b.scrollWidth")  # scrolled to its end
    page.wait_for_function("b => b.classList.contains('lbcl-more-left') && "
                           "!b.classList.contains('lbcl-more-right')", arg=box.element_handle())
    tab.close()


# --------------------------------------------------------------------------
# Print

A4_WIDTH_PX = 718  # 210 mm less the default margins, at 96 px per inch


def test_printed_pages_have_no_navigation_no_answer_and_every_table_and_figure_whole(
        browser, site, tell):
    """Printed (as Chromium lays a page out for A4), chapters and cases are the
    learner's edition: no navigation, the questions and their options but no
    answer (no feedback of the question bank, no dropdown answer of a case),
    and no table or figure wider than the text, so none is cut at the paper's edge."""
    tab = Tab(browser, site, viewport={"width": A4_WIDTH_PX, "height": 1000})
    printed = [page for page in reader_pages(site.folder)
               if page.startswith(("chapters/", "cases/"))]
    questions_printed = answers_hidden = 0
    for path in printed:
        page = tab.open(site.url + path).page
        page.emulate_media(media="print")
        for chrome in PAGE_CHROME:
            assert not page.locator(chrome).locator("visible=true").count(), (path, chrome)
        for answer in page.locator("main .admonition.dropdown").all():
            assert not answer.is_visible(), path
            answers_hidden += 1
        for form in page.locator("main form.lbcl-question").all():
            assert form.locator("legend").is_visible(), path
            assert form.locator("li.lbcl-option").first.is_visible(), path
            for hidden in (".lbcl-feedback-texts", ".lbcl-actions"):
                assert not form.locator(hidden).is_visible(), (path, hidden)
            questions_printed += 1
        layout = page_layout(page)
        assert not tables_wider_than_the_article(layout), path
        assert all(f["shown"] <= layout["article"] + 1 for f in layout["figures"]), path
        if path == SYNTHESIS:
            assert page.pdf(format="A4")[:4] == b"%PDF"
        page.close()
    tab.close()
    chapters = [p for p in printed if p.startswith("chapters/")]
    assert len(chapters) >= 7 and questions_printed >= 3 * len(chapters) and answers_hidden
    tell(f"browser: {len(printed)} chapters and cases print without navigation; "
         f"{questions_printed} questions print without their answers, {answers_hidden} case "
         "answers are left out; every table and figure within the text")


PAGE_CHROME = (".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-header-article",
               ".primary-toggle", ".secondary-toggle", ".prev-next-area", ".search-button")


# --------------------------------------------------------------------------
# Accessibility


def test_axe_finds_no_serious_or_critical_violation(seen, tell):
    serious, minor = [], {}
    for (scheme, page), record in seen.records.items():
        for violation in record.violations:
            if violation["impact"] in SERIOUS:
                serious.append((scheme, page, violation))
            else:
                minor.setdefault(f"{violation['id']} ({violation['impact']})", set()).add(page)
    assert not serious, serious
    tell("axe-core: no serious or critical violation in either colour scheme; "
         f"lesser findings: {', '.join(sorted(minor)) or 'none'}")


# --------------------------------------------------------------------------
# The recorders catch what they should


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>broken</title></head><body><main>
<h1>A page broken on purpose</h1>
<img src="missing.png" alt="A chart that does not exist, described at some length here.">
<img src="pixel.png">
<a href="#nowhere">a dead anchor</a>
<script>console.error("an error"); fetch("http://example.invalid/x").catch(() => {});</script>
</main></body></html>"""


def test_the_checks_catch_a_broken_page(browser, tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "index.html").write_text(BROKEN_PAGE)
    Image.new("RGB", (4, 4), "white").save(folder / "pixel.png")
    with LocalSite(folder) as broken:
        tab = Tab(browser, broken)
        visit = tab.open(broken.url + "index.html")
        visit.page.wait_for_load_state("networkidle")
        images = {Path(i["src"]).name: i for i in visit.images()}
        violations = {v["id"] for v in visit.axe(axe_source()) if v["impact"] in SERIOUS}
        body = fetch(broken.url + "index.html")[1].decode()
        tab.close()
    assert "an error" in visit.console_errors
    assert any("missing.png: HTTP 404" in f for f in visit.failed_requests)
    assert tab.blocked == ["http://example.invalid/x"]
    assert images["missing.png"]["width"] == 0 and images["pixel.png"]["alt"] is None
    assert "image-alt" in violations
    assert "nowhere" not in anchors(body)


@pytest.mark.parametrize("ink, background, readable", [
    ("black", "white", True), ("#595959", "white", True),   # the house style's grey
    ("black", "#121212", False),                            # a transparent figure on a dark page
    ("#3a3a3a", "#7a7a7a", False),                          # a figure dimmed too far
])
def test_figure_contrast_tells_readable_from_unreadable(ink, background, readable):
    image = Image.new("RGB", (60, 20), background)
    image.paste(ink, (10, 5, 40, 12))
    png = io.BytesIO()
    image.save(png, format="PNG")
    assert (figure_contrast(png.getvalue()) >= FIGURE_CONTRAST) == readable


# --------------------------------------------------------------------------
# The question bank on the page (lbclbook.toolchain.quiz), answered by keyboard


@pytest.fixture(scope="module")
def quiz_site(clean_build):
    # The questions need no PDFs: the clean build's site is enough.
    with LocalSite(clean_build / SITE) as served:
        yield served


def test_quiz_on_every_chapter_a_question_answered_by_keyboard_shows_its_feedback(
        browser, quiz_site, tell):
    """On each chapter page: nothing is revealed before an option is checked;
    an option chosen with the arrow keys and checked with Enter shows that
    option's feedback (as the bank holds it) in the live region; Reset
    clears both; axe finds no serious violation with the feedback shown."""
    from lbclbook import questions

    tab = Tab(browser, quiz_site)
    axe = axe_source()
    chapters = [page for page in reader_pages(quiz_site.folder) if page.startswith("chapters/")]
    for path in chapters:
        slug = path.removeprefix("chapters/").removesuffix(".html")
        first = questions.for_chapter(slug)[0]
        visit = tab.open(quiz_site.url + path)
        page = visit.page
        form = page.locator("form.lbcl-question").first
        live = form.locator(".lbcl-feedback")
        assert form.get_attribute("id") == f"question-{first.id}", path
        assert live.get_attribute("aria-live") == "polite"
        assert not live.inner_text().strip() and not form.locator(".lbcl-feedback-texts").is_visible()
        assert not any(f in page.locator("main").inner_text() for f in first.feedback), path

        form.locator(".lbcl-check").click()  # checked with nothing chosen: a hint, no answer
        assert live.inner_text().strip() == "Choose an option first.", path

        form.locator("input[type=radio]").first.focus()
        page.keyboard.press("ArrowDown")  # moves to, and chooses, the second option
        assert form.locator("input[type=radio]:checked").get_attribute("value") == "b", path
        assert not live.inner_text().strip(), path  # choosing alone reveals nothing
        page.keyboard.press("Enter")  # submits the form: Check
        page.wait_for_function("f => f.querySelector('.lbcl-feedback').textContent.trim() !== ''",
                               arg=form.element_handle())
        shown = " ".join(live.inner_text().split())
        verdict = "Correct." if first.correct == 1 else "Not this one."
        assert shown.startswith(verdict) and " ".join(first.feedback[1].split()) in shown, path
        assert all(" ".join(f.split()) not in shown
                   for i, f in enumerate(first.feedback) if i != 1), path

        serious = [v for v in visit.axe(axe) if v["impact"] in SERIOUS]
        assert not serious, (path, serious)

        form.locator(".lbcl-reset").focus()
        page.keyboard.press("Enter")
        assert not live.inner_text().strip(), path
        assert not form.locator("input[type=radio]:checked").count(), path
        page.close()
    tab.close()
    tell(f"browser: on {len(chapters)} chapter pages a question was answered by keyboard, showed "
         "the chosen option's feedback and reset; nothing was shown before Check")


def test_quiz_choosing_another_option_clears_the_feedback_of_the_last(browser, quiz_site):
    tab = Tab(browser, quiz_site, **PHONE)
    page = tab.open(quiz_site.url + "chapters/radiotherapy.html").page
    form = page.locator("form.lbcl-question").first
    live = form.locator(".lbcl-feedback")
    form.locator("label").nth(2).tap()
    form.locator(".lbcl-check").tap()
    assert live.inner_text().strip()
    form.locator("label").nth(0).tap()  # another option: the old feedback would mislead
    assert not live.inner_text().strip()
    page.locator(".lbcl-reset-all").tap()
    assert not form.locator("input[type=radio]:checked").count()
    tab.close()
