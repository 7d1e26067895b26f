"""Fast on a phone: the guarantees behind the Lighthouse scores, kept by tests.

Lighthouse's scores and timings depend on the machine that runs it
(``bench/lighthouse.py`` measures them). What made a chapter's text wait
three to four seconds on a slow 4G network does not, so it is checked here,
on every page of the clean build, at a phone's size
(``lbclbook.toolchain.lightpage`` explains each measure):

- no script in a page's head holds up the first paint: each file is async,
  deferred or a module; the inline script that sets the colour mode runs
  first, at once, and needs no file to draw a dark page dark (so dark mode
  never flashes light);
- every content image has a width and a height, and shows at its file's
  proportions (the page does not jump as it arrives);
- an image below the first screen loads lazily; one on the first screen
  does not (it may be what Lighthouse times as the largest paint);
- the search index loads on the search page alone;
- no page logs a console error.
"""

from __future__ import annotations

import pytest

from lbclbook.toolchain.build import SITE

from sitebrowser import PHONE, LocalSite, Tab, reader_pages

SCHEMES = ("light", "dark")

# Each script of the head: its address, whether it waits for the page.
HEAD_SCRIPTS = """() => [...document.head.querySelectorAll('script')].map(s => ({
  src: s.getAttribute('src'), waits: s.async || s.defer || s.type === 'module',
  code: s.src ? '' : s.textContent}))"""
# Each content image as the first screen shows it, before any scrolling.
IMAGES = """() => [...document.querySelectorAll('main img')].map(img => {
  const box = img.getBoundingClientRect();
  return {src: img.getAttribute('src'), width: img.getAttribute('width'),
          height: img.getAttribute('height'), loading: img.getAttribute('loading'),
          top: box.top + window.scrollY, shown: [box.width, box.height]};
})"""
# Every script file the page asked for.
REQUESTED_SCRIPTS = """() => performance.getEntriesByType('resource')
  .filter(r => r.initiatorType === 'script').map(r => new URL(r.name).pathname)"""


@pytest.fixture(scope="module")
def on_a_phone(clean_build, browser) -> dict[str, dict]:
    """Every reader page of the clean build, loaded once on a phone."""
    found = {}
    with LocalSite(clean_build / SITE) as site:
        tab = Tab(browser, site, **PHONE)
        for page in reader_pages(site.folder):
            visit = tab.open(site.url + page)
            found[page] = {"scripts": visit.page.evaluate(HEAD_SCRIPTS),
                           "images": visit.page.evaluate(IMAGES),
                           "requested": visit.page.evaluate(REQUESTED_SCRIPTS),
                           "screen": visit.page.viewport_size["height"],
                           "errors": visit.console_errors}
            visit.page.close()
        tab.close()
    return found


def test_no_script_in_the_head_holds_up_the_first_paint(on_a_phone, tell):
    for page, seen in on_a_phone.items():
        blocking = [s["src"] for s in seen["scripts"] if s["src"] and not s["waits"]]
        assert not blocking, (page, blocking)
        first = seen["scripts"][0]
        assert not first["waits"] and "dataset.mode" in first["code"], (page, first)
    tell(f"page speed: {len(on_a_phone)} pages, no script file in a head blocks the first paint")


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_page_is_drawn_in_the_readers_scheme_before_any_script_file_runs(
        clean_build, browser, scheme):
    """Every script file withheld: the first inline script alone sets the
    theme the first paint uses."""
    context = browser.new_context(color_scheme=scheme, **PHONE)
    context.route("**/*.js*", lambda route: route.abort())
    with LocalSite(clean_build / SITE) as site:
        for page in ("intro.html", "chapters/synthesis.html"):
            tab = context.new_page()
            tab.goto(site.url + page, wait_until="domcontentloaded")
            assert tab.evaluate("document.documentElement.dataset.theme") == scheme, page
            tab.close()
    context.close()


def test_every_content_image_has_its_size_and_shows_in_proportion(on_a_phone, tell):
    sized = 0
    for page, seen in on_a_phone.items():
        for image in seen["images"]:
            assert image["width"] and image["height"], (page, image["src"])
            ratio = int(image["height"]) / int(image["width"])
            width, height = image["shown"]
            assert width > 0 and abs(height - width * ratio) <= 2, (page, image)
            sized += 1
    assert sized >= 4
    tell(f"page speed: {sized} content images with width and height, shown in proportion")


def test_images_below_the_first_screen_load_lazily_and_those_on_it_do_not(on_a_phone, tell):
    below = 0
    for page, seen in on_a_phone.items():
        for image in seen["images"]:
            if image["top"] >= seen["screen"]:
                assert image["loading"] == "lazy", (page, image["src"], image["top"])
                below += 1
            else:
                assert image["loading"] != "lazy", (page, image["src"], image["top"])
    assert below >= 4
    tell(f"page speed: {below} images below a phone's first screen, all lazy")


def test_only_the_search_page_loads_the_search_index(on_a_phone):
    for page, seen in on_a_phone.items():
        loads_index = any(path.endswith("/searchindex.js") for path in seen["requested"])
        assert loads_index == (page == "search.html"), page


def test_no_page_logs_a_console_error_on_a_phone(on_a_phone):
    for page, seen in on_a_phone.items():
        assert not seen["errors"], (page, seen["errors"])
