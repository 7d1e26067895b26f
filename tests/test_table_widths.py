"""Every table fits the page it is on: on a laptop (1366 px wide) a reader
sees all its columns without scrolling sideways.

A table wider than the room the article gives it hides columns behind a
scroll bar (the radiotherapy courses once hid their EQD2 and BED that way).
The fix is the author's: shorter headers, long notes in the caption, or a
table split in two; this test finds the tables that need it.
"""

from __future__ import annotations

import re
from pathlib import Path

from lbclbook.toolchain.build import SITE

from sitebrowser import LocalSite, pages

LAPTOP = {"width": 1366, "height": 900}
REDIRECT = re.compile(r'<meta http-equiv="refresh"', re.I)  # its target is a page too
# Each table's width and the room it has: the theme's scrolling box around it,
# or the article itself.
TABLE_WIDTHS = """() => {
  const article = document.querySelector('main article');
  if (!article) return [];
  return [...article.querySelectorAll('table')].map(table => {
    const box = table.closest('.pst-scrollable-table-container') || article;
    const caption = table.querySelector('caption');
    return {caption: caption ? caption.innerText.trim().slice(0, 50) : '(no caption)',
            width: table.getBoundingClientRect().width,
            room: Math.min(box.getBoundingClientRect().width,
                           article.getBoundingClientRect().width)};
  });
}"""


def too_wide(browser, folder: Path) -> list[str]:
    """Every table of the site in ``folder`` that is wider than its room."""
    found = []
    with LocalSite(folder) as site:
        context = browser.new_context(viewport=LAPTOP)
        for page in pages(folder):
            if REDIRECT.search((folder / page).read_text("utf-8")):
                continue
            tab = context.new_page()
            tab.goto(site.url + page, wait_until="load")
            found += [f"{page}: '{t['caption']}' is {t['width']:.0f} px wide in "
                      f"{t['room']:.0f} px" for t in tab.evaluate(TABLE_WIDTHS)
                      if t["width"] > t["room"] + 1]
            tab.close()
        context.close()
    return found


def test_no_table_is_wider_than_the_page_at_1366_px(browser, clean_build):
    assert too_wide(browser, clean_build / SITE) == []


def test_the_check_finds_a_table_too_wide_and_passes_one_that_fits(browser, tmp_path):
    row = "<tr><td>cell</td></tr>"
    (tmp_path / "page.html").write_text(
        "<html><body><main><article style='width: 400px'>"
        f"<table style='width: 900px'><caption>Table 1 wide</caption>{row}</table>"
        f"<table style='width: 300px'><caption>Table 2 narrow</caption>{row}</table>"
        "</article></main></body></html>", "utf-8")
    assert too_wide(browser, tmp_path) == ["page.html: 'Table 1 wide' is 900 px wide in 400 px"]
