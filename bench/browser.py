"""Page weight and paint times of each chapter page, in Chromium, from localhost.

For every chapter page of a built site: the bytes transferred on a first load
(empty cache, every asset counted, as Chromium's network log reports them),
DOMContentLoaded, largest contentful paint, and how the figures' files
compare with the size they are shown at.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}

# Resolves with the last largest-contentful-paint candidate (buffered, so it
# sees paints before the observer was made); null if there was none.
LCP = """() => new Promise(resolve => {
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    resolve(entries[entries.length - 1].startTime);
  }).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => resolve(null), 3000);
})"""
DCL = "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
# Each figure's file width against the width it is drawn at (an SVG scales).
FIGURES = """() => [...document.querySelectorAll('figure img')].map(img => ({
  src: img.getAttribute('src'), natural: img.naturalWidth, shown: img.clientWidth}))"""


# Figures below the first screen load as the reader scrolls (loading="lazy").
LOAD_LAZY_IMAGES = """() => document.querySelectorAll('img[loading="lazy"]')
  .forEach(img => { img.loading = 'eager'; })"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    """A localhost server for ``site`` on a free port, in a thread."""
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure_pages(site: Path, pages: list[str], repeat: int) -> dict[str, list[dict]]:
    """``repeat`` first loads of each page; one dict of measures per load."""
    from playwright.sync_api import sync_playwright

    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    results: dict[str, list[dict]] = {page: [] for page in pages}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(repeat):
                for page in pages:
                    results[page].append(_first_load(browser, base + page))
            browser.close()
    finally:
        server.shutdown()
    return results


def _first_load(browser, url: str) -> dict:
    context = browser.new_context(viewport=VIEWPORT)  # a new context: an empty cache
    page = context.new_page()
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    transferred = {"bytes": 0, "requests": 0}

    def finished(event):
        transferred["bytes"] += event["encodedDataLength"]
        transferred["requests"] += 1

    network.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    measures = {"dom_content_loaded_ms": page.evaluate(DCL), "lcp_ms": page.evaluate(LCP)}
    page.evaluate(LOAD_LAZY_IMAGES)  # as if read to the end: every figure, every byte
    page.wait_for_function("() => [...document.images].every(img => img.complete)")
    measures["figures"] = page.evaluate(FIGURES)
    context.close()
    return {**measures, **transferred}
