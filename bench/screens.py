"""Screens: how every page of a built site reads on a phone and on a laptop.

``python bench/screens.py [--site _build/html]`` builds nothing: it serves an
existing site on 127.0.0.1, opens every page in Chromium as a phone
(390x844, touch) and as a laptop (1366x900), and writes ``bench/screens.md``
(and ``bench/screens.json``), one row per page:

- whether each menu, the chapters (☰) and the page's sections, opens on a
  tap on the phone and closes again (``tests/sitebrowser.try_menu``);
- how many tables are wider than the article on the laptop (such a table
  scrolls sideways there);
- the smallest text of the page's figures in CSS px as shown on each screen,
  where the figures record it: ``figures/<stem>.json`` beside each figure,
  with ``width_pt`` and ``smallest_text_pt``; a figure shown ``w`` px wide
  shows that text at ``smallest_text_pt * w / width_pt`` px. "n/a" where no
  figure of the page records it (see :func:`smallest_figure_text_px`).

The browser, the server and the checks are the browser tests' own
(``tests/sitebrowser.py``), so the bench measures what the tests check.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests"))
from sitebrowser import (LAPTOP, MENUS, PHONE, LocalSite, Tab, launch, page_layout,  # noqa: E402
                         reader_pages, tables_wider_than_the_article, try_menu)

SCREENS = {"phone": PHONE, "laptop": LAPTOP}


def figure_records(book: Path) -> dict[str, dict]:
    """What each figure records about itself (``figures/<stem>.json``), by stem."""
    return {path.stem: json.loads(path.read_text("utf-8"))
            for path in sorted((book / "figures").glob("*.json"))}


def smallest_figure_text_px(figures: list[dict], records: dict[str, dict]) -> float | None:
    """The smallest figure text on a screen, in CSS px; None if no figure records it.

    ``figures`` are the page's images as laid out (``src``, ``shown`` width
    in CSS px); an image is matched to its record by the file's stem (Sphinx
    copies ``figures/<stem>.svg`` to ``_images/<stem>.svg``).
    """
    sizes = []
    for figure in figures:
        record = records.get(Path(figure["src"]).stem, {})
        if record.get("smallest_text_pt") and record.get("width_pt") and figure["shown"]:
            sizes.append(record["smallest_text_pt"] * figure["shown"] / record["width_pt"])
    return min(sizes) if sizes else None


def measure(site: Path, records: dict[str, dict]) -> list[dict]:
    """One row per page: menus on the phone, wide tables and figure text on each screen."""
    from playwright.sync_api import sync_playwright

    rows: dict[str, dict] = {}
    with LocalSite(site) as served, sync_playwright() as playwright:
        browser = launch(playwright)
        for screen, device in SCREENS.items():
            tab = Tab(browser, served, **device)
            for page in reader_pages(site):
                visit = tab.open(served.url + page)
                layout = page_layout(visit.page)
                row = rows.setdefault(page, {"page": page})
                if screen == "phone":
                    for menu in MENUS:
                        row[f"{menu.name}_menu"] = try_menu(visit.page, menu, "tap")
                row[f"wide_tables_{screen}"] = len(tables_wider_than_the_article(layout))
                row["tables"] = len(layout["tables"])
                row["figures"] = len(layout["figures"])
                size = smallest_figure_text_px(layout["figures"], records)
                row[f"smallest_figure_text_px_{screen}"] = round(size, 1) if size else None
                visit.page.close()
            tab.close()
        browser.close()
    return list(rows.values())


def markdown(rows: list[dict], date: str) -> str:
    def text_px(value) -> str:
        return "n/a" if value is None else f"{value:.1f}"

    lines = [f"## Screens, measured on {date}", "",
             "Every page of the built site in Chromium, as a phone (390x844, touch) and a "
             "laptop (1366x900). Reproduce with `python bench/screens.py` after `make book`.",
             "",
             "| page | phone: chapters menu | phone: sections menu | tables | wider than the "
             "article at 1366 px | smallest figure text, CSS px (1366 / 390) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        lines.append(
            f"| {row['page']} | {row['chapters_menu']} | {row['sections_menu']} | {row['tables']} "
            f"| {row['wide_tables_laptop']} | {text_px(row['smallest_figure_text_px_laptop'])} / "
            f"{text_px(row['smallest_figure_text_px_phone'])} |")
    works = sum(row["chapters_menu"] == "works" and row["sections_menu"] in ("works", "none")
                for row in rows)
    wide = sum(row["wide_tables_laptop"] for row in rows)
    lines += ["", f"Both menus work on the phone on {works} of {len(rows)} pages "
              "(\"none\": the page has no sections); "
              f"{wide} of {sum(row['tables'] for row in rows)} tables are wider than the "
              "article on the laptop."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html",
                        help="the built site (default: _build/html)")
    args = parser.parse_args()
    if not (args.site / "intro.html").is_file():
        sys.exit(f"screens: no built site in {args.site}: run `make book` first")
    book = args.site.resolve().parents[1]  # <book>/_build/html
    rows = measure(args.site, figure_records(book))
    date = datetime.date.today().isoformat()
    (BENCH / "screens.json").write_text(json.dumps({"date": date, "pages": rows}, indent=1) + "\n")
    report = markdown(rows, date)
    (BENCH / "screens.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
