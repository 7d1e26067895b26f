"""A handout per chapter: one or two A4 pages, printed by Chromium from HTML.

What a fellow takes into a session: the chapter's learning objectives, two
or three of its figures, its key points and its questions without the
answers, under the chapter's citation. It is made from the chapter as the
site shows it (``chapterpage``), like the slide deck, by ``make book``.

The figures are the chapter's first ones (at most :data:`MAX_FIGURES`) that
fit, as large as they can be, in the room the text leaves on two pages (the
browser measures the text first): a figure is at most
:data:`MAX_FIGURE_MM` mm high, never narrower than :data:`MIN_FIGURE_WIDTH_MM`
mm (its text would be too small to read); a figure too tall for that is left
out and named. If the printed handout still runs to a third page, figures are
dropped from the last down to one, then questions from the last down to
:data:`MIN_QUESTIONS` (the page names the rest), then the last figure.

Chromium prints the same HTML the same way, but stamps the time in the PDF's
dates: they are set to the data's date, so the same data give the same file.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .chapterpage import ChapterPage, Figure

A4_MM = (210, 297)
MARGIN_MM = 12
FOOTER_MM = 16                            # the bottom margin, which holds the page footer
TEXT_WIDTH_MM = A4_MM[0] - 2 * MARGIN_MM
# What a page holds, less what is lost where a block moves whole to the next page.
PAGE_TEXT_MM = A4_MM[1] - MARGIN_MM - FOOTER_MM - 20
MAX_FIGURE_MM = 95
MIN_FIGURE_WIDTH_MM = 110
CAPTION_MM = 14                           # a figure's caption and spacing
MAX_FIGURES = 3
MAX_PAGES = 2
MIN_QUESTIONS = 4                         # a handout asks at least these (if the bank has them)
OPTION_LETTERS = "ABCDE"
# As the browser tests launch it: no sandbox (root), no GPU, no traffic of its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]

STYLE = f"""
@page {{ size: A4; margin: {MARGIN_MM}mm {MARGIN_MM}mm {FOOTER_MM}mm {MARGIN_MM}mm; }}
html {{ font: 9pt/1.3 "DejaVu Sans", sans-serif; color: #1a1a1a; }}
body {{ margin: 0; }}
header {{ border-bottom: 1.5pt solid #005a8c; margin-bottom: 3mm; padding-bottom: 2mm; }}
.kicker {{ color: #555; font-size: 9pt; margin: 0; }}
h1 {{ font-size: 17pt; color: #005a8c; margin: 0.5mm 0 1mm; }}
.edition {{ color: #555; font-size: 8.5pt; margin: 0; }}
h2 {{ font-size: 11pt; color: #005a8c; margin: 3mm 0 1mm; break-after: avoid; }}
ul, ol {{ margin: 0; padding-left: 5mm; }}
li {{ margin: 0.6mm 0; }}
figure {{ margin: 2mm 0; break-inside: avoid; text-align: center; }}
figure img {{ display: block; margin: 0 auto; }}
figcaption {{ font-size: 8.5pt; text-align: left; margin-top: 1mm; }}
.questions {{ columns: 2; column-gap: 6mm; font-size: 8pt; }}
.question {{ break-inside: avoid; margin: 0 0 2mm; }}
.question p {{ margin: 0; }}
.options {{ list-style: none; padding-left: 4mm; }}
.note {{ color: #555; font-size: 8.5pt; }}
.cite {{ border-top: 0.75pt solid #999; margin-top: 3mm; padding-top: 1.5mm; font-size: 8.5pt;
         break-inside: avoid; }}
"""


def launch():
    """(Playwright, Debian's Chromium) as the build uses it; stop both when done."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    playwright = sync_playwright().start()
    try:
        return playwright, playwright.chromium.launch(executable_path=chromium,
                                                      args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise


def make_handout(page: ChapterPage, citation, figures: Path, questions: list, path: Path,
                 browser) -> Path:
    """Print chapter ``page``'s handout to ``path``: at most :data:`MAX_PAGES` A4 pages."""
    aspects = {f.stem: _aspect(figures / f"{f.stem}.png") for f in page.figures}
    tab = browser.new_page()
    try:
        # How much room the text leaves for figures, measured as the browser lays it out.
        text_mm = _content_height_mm(tab, handout_html(page, citation, figures, questions, {}))
        shown = choose_figures(page.figures, aspects, MAX_PAGES * PAGE_TEXT_MM - text_mm)
        asked = len(questions)
        while True:
            pdf = _print(tab, handout_html(page, citation, figures, questions[:asked], shown,
                                           len(questions)))
            pages = page_count(pdf)
            if pages <= MAX_PAGES:
                break
            # Too long: figures go first, down to one; then questions from the
            # last, down to MIN_QUESTIONS (the rest are named); then the last figure.
            if len(shown) > 1:
                shown.popitem()
            elif asked > MIN_QUESTIONS:
                asked -= 1
            elif shown:
                shown.popitem()
            else:
                raise ValueError(f"handout of {page.slug}: {pages} pages with no figure and "
                                 f"{asked} questions; at most {MAX_PAGES} fit")
    finally:
        tab.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_dates(pdf, citation.released))
    return path


def _aspect(png: Path) -> float:
    from PIL import Image

    with Image.open(png) as image:
        return image.height / image.width


def choose_figures(figures, aspects: dict[str, float], room_mm: float) -> dict:
    """The first figures of the chapter (at most :data:`MAX_FIGURES`) that fit
    ``room_mm`` together, each as large as it can be: ``{figure: (width, height)}`` in mm.

    A figure is at most the text's width and :data:`MAX_FIGURE_MM` high, and
    is never shown narrower than :data:`MIN_FIGURE_WIDTH_MM` (its text would
    be too small); to fit more figures, all are made lower together.
    """
    legible = [f for f in figures if aspects[f.stem] * MIN_FIGURE_WIDTH_MM <= MAX_FIGURE_MM]
    for count in range(min(MAX_FIGURES, len(legible)), 0, -1):
        chosen = legible[:count]
        for cap in range(MAX_FIGURE_MM, 0, -5):
            sizes = {}
            for figure in chosen:
                aspect = aspects[figure.stem]
                height = min(TEXT_WIDTH_MM * aspect, cap)
                if height / aspect < MIN_FIGURE_WIDTH_MM:
                    break
                sizes[figure] = (height / aspect, height)
            else:
                if sum(h + CAPTION_MM for _, h in sizes.values()) <= room_mm:
                    return sizes
    return {}


def handout_html(page: ChapterPage, citation, figures: Path, questions: list,
                 shown: dict[Figure, tuple[float, float]], in_bank: int | None = None) -> str:
    """The handout as one HTML document (figures inlined); ``questions`` are the
    first of the chapter's ``in_bank`` (the others are named as on the page)."""
    e = html.escape
    number = f"Chapter {page.number}" if page.number else "Chapter"
    parts = [
        f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>{e(page.title)}: handout</title><style>{STYLE}</style></head><body>",
        f"<header><p class='kicker'>{e(number)} · handout</p><h1>{e(page.title)}</h1>"
        f"<p class='edition'>{e(citation.book)}. {e(citation.edition)}</p></header>",
        "<section><h2>Learning objectives</h2>",
        f"<p>{e(page.objectives_lead)}</p>" if page.objectives_lead else "",
        "<ul>" + "".join(f"<li>{e(o)}</li>" for o in page.objectives) + "</ul></section>",
    ]
    if shown:
        parts.append("<section><h2>Key figures</h2>")
        for figure, (width, height) in shown.items():
            data = base64.b64encode((figures / f"{figure.stem}.png").read_bytes()).decode()
            parts.append(
                f"<figure><img src='data:image/png;base64,{data}' alt='{e(figure.alt)}' "
                f"style='width:{width:.1f}mm;height:{height:.1f}mm'>"
                f"<figcaption><b>Figure {e(figure.number)}.</b> {e(figure.caption)}"
                "</figcaption></figure>")
        parts.append("</section>")
    others = [f.number for f in page.figures if f not in shown]
    if others:
        parts.append(f"<p class='note'>More figures on the chapter page: "
                     f"{e(', '.join('Figure ' + n for n in others))}.</p>")
    parts.append("<section><h2>Key points</h2><ul>"
                 + "".join(f"<li>{e(k)}</li>" for k in page.key_points) + "</ul></section>")
    if questions:
        parts.append("<section><h2>Check yourself</h2><div class='questions'>")
        for n, question in enumerate(questions, start=1):
            options = "".join(f"<li>{OPTION_LETTERS[i]}. {e(o)}</li>"
                              for i, o in enumerate(question.options))
            parts.append(f"<div class='question'><p><b>{n}.</b> {e(question.stem)}</p>"
                         f"<ul class='options'>{options}</ul></div>")
        more = (in_bank or len(questions)) - len(questions)
        rest = (f"Questions {len(questions) + 1}–{len(questions) + more} are on the chapter "
                "page. " if more > 1 else
                f"Question {len(questions) + 1} is on the chapter page. " if more else "")
        parts.append(f"</div><p class='note'>{rest}The answers, with the reason for each, are "
                     "on the chapter page and at the end of the chapter's slides.</p></section>")
    parts.append(f"<p class='cite'><b>Cite as:</b> {e(citation.text)}</p></body></html>")
    return "".join(parts)


def print_page(site: Path, page: str, address: str, path: Path, day, browser) -> Path:
    """Page ``page`` of the built ``site`` printed to ``path`` on A4, as its
    print stylesheet lays it out (the teachers' answer key).

    The page is opened at the book's public ``address``, its files served from
    ``site``: the PDF's links then lead to the hosted book, and no path of this
    machine reaches the file (the same pages give the same PDF anywhere).
    """
    tab = browser.new_page()

    def from_site(route):
        url = route.request.url.split("#")[0].split("?")[0]
        file = site / url[len(address):] if url.startswith(address) else None
        if file is not None and file.is_file():
            route.fulfill(path=file)
        else:
            route.abort()  # nothing from anywhere else

    try:
        tab.route("**/*", from_site)
        tab.goto(f"{address}{page}.html", wait_until="load")
        pdf = tab.pdf(format="A4", print_background=True, display_header_footer=True,
                      scale=0.8,  # the site's reading size is large for a printed list
                      margin={side: f"{MARGIN_MM}mm" for side in ("top", "left", "right")}
                      | {"bottom": f"{FOOTER_MM}mm"},
                      header_template="<span></span>", footer_template=_footer())
    finally:
        tab.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_dates(pdf, day))
    return path


def _print(tab, document: str) -> bytes:
    tab.set_content(document, wait_until="load")
    return tab.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                   display_header_footer=True, header_template="<span></span>",
                   footer_template=_footer())


def _content_height_mm(tab, document: str) -> float:
    """The height of ``document`` laid out for print at the text's width, in mm."""
    tab.emulate_media(media="print")
    tab.set_viewport_size({"width": round(TEXT_WIDTH_MM / 25.4 * 96), "height": 1000})
    tab.set_content(document, wait_until="load")
    pixels = tab.evaluate("document.body.getBoundingClientRect().height")
    return pixels / 96 * 25.4


def _footer() -> str:
    return ("<div style='font: 7.5pt sans-serif; color: #555; width: 100%; "
            f"margin: 0 {MARGIN_MM}mm; text-align: right'>"
            "<span class='title'></span> · page <span class='pageNumber'></span> of "
            "<span class='totalPages'></span></div>")


def page_count(pdf: bytes) -> int:
    """The number of pages of ``pdf`` (poppler's ``pdfinfo``)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True,
                              check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def _fixed_dates(pdf: bytes, day) -> bytes:
    """The PDF's creation and modification dates set to ``day`` (same length: the
    cross-reference offsets stay right)."""
    def fixed(match):
        stamp = day.strftime("%Y%m%d000000").encode()
        return b"/" + match.group(1) + b" (D:" + stamp + match.group(3) + b")"
    return _PDF_DATE.sub(fixed, pdf)
