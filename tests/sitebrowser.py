"""A real browser on the built site: a bounded local server and Chromium.

The site is served on 127.0.0.1 only, by a server that answers a bounded
number of requests and stops by itself after a while, so a stuck test cannot
leave it running. Chromium is Debian's (``/usr/bin/chromium``) driven by
Playwright; nothing is downloaded. Every request that would leave the local
server is aborted and recorded, so a page that needs the network fails its
tests instead of silently working online.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (we run as root), no GPU, and no background traffic of the
# browser's own: the machines have no network but the package registries.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
# Not reader pages: assets, and the 404 page, whose links carry the hosted
# site's path prefix (tests/test_site.py checks it against that prefix).
NOT_PAGES = ("_static/", "_sources/", "_downloads/", "_images/", "404.html")


# --------------------------------------------------------------------------
# The site over HTTP


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass


class _CountingServer(ThreadingHTTPServer):
    daemon_threads = True
    served = 0

    def process_request(self, request, client_address) -> None:
        self.served += 1  # in the serving thread, before a worker takes over
        super().process_request(request, client_address)


class LocalSite:
    """Serve ``folder`` on 127.0.0.1 for the length of a ``with`` block."""

    MAX_REQUESTS = 50_000
    LIFETIME_S = 1800  # a safety stop, not a measurement

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.folder = folder
        self._server = _CountingServer(("127.0.0.1", 0), handler)
        self._server.timeout = 0.2
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/"

    def _serve(self) -> None:
        deadline = time.monotonic() + self.LIFETIME_S
        while (not self._stop.is_set() and time.monotonic() < deadline
               and self._server.served < self.MAX_REQUESTS):
            self._server.handle_request()

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._server.server_close()

    def path_of(self, url: str) -> str:
        """The site-relative page path of a local ``url`` ('' if not local)."""
        if not url.startswith(self.url):
            return ""
        path = unquote(urlsplit(url).path).lstrip("/")
        return path + "index.html" if path.endswith("/") or not path else path


def pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as paths relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not p.relative_to(site).as_posix().startswith(NOT_PAGES))


REDIRECT = re.compile(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', re.I)


def reader_pages(site: Path) -> list[str]:
    """The pages a reader reads: every page but those that only redirect."""
    return [page for page in pages(site) if not REDIRECT.search((site / page).read_text("utf-8"))]


# --------------------------------------------------------------------------
# The browser


def launch(playwright):
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: run `make setup` (installs Debian's chromium)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def axe_source() -> str:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run `make setup` (npm ci in tests/browser)")
    return AXE.read_text("utf-8")


# A phone (the width of a common one), held in the hand: touch events, a
# mobile viewport; and a laptop.
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}
LAPTOP = {"viewport": {"width": 1366, "height": 900}}


class Tab:
    """A browser context that records what a visit does.

    Console errors, uncaught exceptions, failed requests (network failures
    and HTTP errors) and dialogs are recorded; requests to anything but the
    local site are aborted and recorded as ``blocked``.
    """

    def __init__(self, browser, site: LocalSite, color_scheme: str = "light", **device):
        self.site = site
        self.context = browser.new_context(color_scheme=color_scheme, **device)
        self.context.route("**/*", self._route)
        self.blocked: list[str] = []

    def _route(self, route) -> None:
        if route.request.url.startswith(self.site.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str) -> Visit:
        page = self.context.new_page()
        visit = Visit(url, page)
        page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
        page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", lambda r: self._failed(visit, r.url, r.failure))
        page.on("response", lambda r: r.status >= 400 and visit.failed_requests.append(
            f"{r.url}: HTTP {r.status}"))
        page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))
        response = page.goto(url, wait_until="load")
        visit.status = response.status if response else None
        return visit

    def _failed(self, visit: Visit, url: str, failure: str | None) -> None:
        if url not in self.blocked:  # blocked ones are reported separately
            visit.failed_requests.append(f"{url}: {failure}")

    def close(self) -> None:
        self.context.close()


@dataclass
class Visit:
    """One page loaded in the browser, and what happened while it loaded."""

    url: str
    page: object
    status: int | None = None
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def load_every_image(self) -> None:
        """Load the images a reader reaches by scrolling (``loading="lazy"``) at
        once, and wait until every image has loaded or failed."""
        self.page.evaluate("""() => document.querySelectorAll('img[loading="lazy"]')
            .forEach(img => { img.loading = 'eager'; })""")
        self.page.wait_for_function("() => [...document.images].every(img => img.complete)")

    def images(self) -> list[dict]:
        # A lazy image loads only when scrolled near: load every one first, so
        # that "it renders" is checked wherever the image is on the page.
        self.page.evaluate("""() => Promise.all([...document.images]
            .filter(img => img.loading === 'lazy')
            .map(img => { img.loading = 'eager'; return img.decode().catch(() => null); }))""")
        return self.page.evaluate("""() => [...document.images].map(img => ({
            src: img.currentSrc || img.src, alt: img.getAttribute('alt'),
            width: img.naturalWidth, complete: img.complete,
            content: !!img.closest('main')}))""")

    def links(self) -> list[dict]:
        return self.page.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => ({
            href: a.href, raw: a.getAttribute('href'), download: a.hasAttribute('download')}))""")

    def axe(self, source: str) -> list[dict]:
        """axe-core's violations on this page (every impact)."""
        self.page.add_script_tag(content=source)
        return self.page.evaluate("""() => axe.run(document, {resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' '))})))""")


# --------------------------------------------------------------------------
# The two menus: the book's chapters (☰) and the page's sections


@dataclass(frozen=True)
class Menu:
    """A sidebar, the button that opens it and the links it offers.

    Below the theme's breakpoints a button moves the sidebar into a modal
    ``dialog``; on a wide screen the ☰ button hides and shows the sidebar in
    place, and the page's sections are always shown.
    """

    name: str
    toggle: str    # the button (the theme renders it in the page's header)
    sidebar: str   # the sidebar, on the page or moved into the dialog
    dialog: str
    links: str     # the links a reader is after, inside the sidebar

    def button(self, page):
        return page.locator(self.toggle).locator("visible=true")

    def visible_links(self, page) -> list[str]:
        """The links of this menu a reader can see (in the dialog if it is open)."""
        return page.evaluate("""([dialog, sidebar, links]) => {
          const where = document.querySelector(dialog + '[open]') ? dialog : sidebar;
          return [...document.querySelectorAll(where + ' ' + links)]
            .filter(a => a.checkVisibility({visibilityProperty: true, opacityProperty: true})
                         && a.getBoundingClientRect().width > 0)
            .map(a => a.getAttribute('href'));
        }""", [self.dialog, self.sidebar, self.links])

    def is_open(self, page) -> bool:
        return page.evaluate(f"() => !!document.querySelector('{self.dialog}')?.open")


CHAPTERS = Menu("chapters", ".primary-toggle", "#pst-primary-sidebar",
                "#pst-primary-sidebar-modal", "nav.bd-docs-nav a.reference")
SECTIONS = Menu("sections", ".secondary-toggle", "#pst-secondary-sidebar",
                "#pst-secondary-sidebar-modal", "nav.page-toc a.nav-link")
MENUS = (CHAPTERS, SECTIONS)
WAIT_MS = 3000  # for a menu to open or close (the theme animates it)


def _until(page, check, timeout_ms: int = WAIT_MS) -> bool:
    """Whether ``check()`` becomes true within ``timeout_ms`` (polled)."""
    for _ in range(timeout_ms // 100):
        if check():
            return True
        page.wait_for_timeout(100)
    return check()


def press(page, button, how: str) -> None:
    """Activate ``button`` as a reader would: ``tap``, ``click``, ``Enter`` or ``Space``."""
    if how == "tap":
        button.tap()
    elif how == "click":
        button.click()
    else:
        button.focus()
        page.keyboard.press(how)


def dismiss(page, menu: Menu, how: str) -> None:
    """Close an open menu: Escape from the keyboard, else a tap or click beside it."""
    if how in ("Enter", "Space"):
        page.keyboard.press("Escape")
        return
    box = page.locator(f"{menu.dialog}[open]").bounding_box()
    left, right = box["x"], box["x"] + box["width"]
    width = page.viewport_size["width"]
    x = left / 2 if left > width - right else (right + width) / 2  # the middle of the backdrop
    y = page.viewport_size["height"] / 2
    if how == "tap":
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)


def try_menu(page, menu: Menu, how: str) -> str:
    """Open ``menu`` on a narrow screen and close it again: "works" or what failed.

    "none" if the page has no such menu (a page without sections).
    """
    if not page.locator(menu.sidebar).count():
        return "none"
    button = page.locator(menu.toggle).locator("visible=true")
    if not button.count():
        return "no visible button"
    press(page, button.first, how)
    if not _until(page, lambda: menu.is_open(page) and menu.visible_links(page)):
        return f"{how} did not open it"
    dismiss(page, menu, how)
    if not _until(page, lambda: not menu.is_open(page) and not menu.visible_links(page)):
        return "did not close"
    if how in ("Enter", "Space") and not _until(
            page, lambda: button.first.evaluate("b => b === document.activeElement"), 500):
        return "closed, but the keyboard's focus did not come back to the button"
    return "works"


def try_collapsing_sidebar(page, how: str = "click") -> str:
    """On a wide screen, the ☰ button hides the chapters and shows them again
    (from the keyboard, keeping the focus)."""
    button = CHAPTERS.button(page)
    if not button.count() or not CHAPTERS.visible_links(page):
        return "no visible button or no chapters shown"
    button.first.focus()
    for action, shown in (("hide", False), ("show", True)):
        if how in ("Enter", "Space"):
            page.keyboard.press(how)  # wherever the focus is
        else:
            press(page, button.first, how)
        if not _until(page, lambda: bool(CHAPTERS.visible_links(page)) == shown):
            return f"{how} did not {action} the chapters"
        if how in ("Enter", "Space") and not _until(
                page, lambda: button.first.evaluate("b => b === document.activeElement"), 500):
            return f"{how} {action}s the chapters, but the focus left the button"
    return "works"


# --------------------------------------------------------------------------
# Layout: tables and figures as the screen shows them

# The article's text width; every table's width, its width were it as narrow
# as its longest words allow, the width of its box, whether it scrolls there
# and whether its caption is cut; whether the page is wider than the screen;
# every figure's image and the width it is shown at.
_LAYOUT = """() => {
  const content = el => { const s = getComputedStyle(el);
    return el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); };
  const article = document.querySelector('main article');
  const probe = document.head.appendChild(document.createElement('style'));
  probe.textContent = `[data-lbcl-narrowest] { width: min-content !important; min-width: 0 !important; }
    [data-lbcl-narrowest] * { white-space: normal !important; min-width: 0 !important; }`;
  const found = {
    page_scrolls: document.documentElement.scrollWidth > document.documentElement.clientWidth,
    article: article ? content(article) : null,
    tables: [...document.querySelectorAll('main article table')].map(table => {
      const box = table.closest('.pst-scrollable-table-container') || table;  // or none
      const caption = table.querySelector('caption');
      const seen = box.getBoundingClientRect(), cap = caption && caption.getBoundingClientRect();
      const width = table.getBoundingClientRect().width;
      table.dataset.lbclNarrowest = '';  // the table as narrow as its words allow
      const narrowest = table.getBoundingClientRect().width;
      delete table.dataset.lbclNarrowest;
      return {id: table.id, width: width, narrowest: narrowest,
              box: box.getBoundingClientRect().width,
              scrolls: box.scrollWidth > box.clientWidth + 1,
              caption_cut: !!cap && (cap.left < seen.left - 1 || cap.right > seen.right + 1)};
    }),
    figures: [...document.querySelectorAll('main figure img')].map(img => ({
      src: img.getAttribute('src'), shown: img.getBoundingClientRect().width})),
  };
  probe.remove();
  return found;
}"""


def page_layout(page) -> dict:
    """How the page's tables and figures are laid out on the current screen."""
    return page.evaluate(_LAYOUT)


def tables_wider_than_the_article(layout: dict) -> list[dict]:
    return [t for t in layout["tables"] if t["width"] > layout["article"] + 1]


# --------------------------------------------------------------------------
# Static HTML


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.names: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.names.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.names.add(attrs["name"])


def anchors(html: str) -> set[str]:
    """The fragment targets of a page: every ``id``, and ``<a name>``."""
    parser = _Anchors()
    parser.feed(html)
    return parser.names


def split_fragment(url: str) -> tuple[str, str]:
    base, fragment = urldefrag(url)
    return base, unquote(fragment)
