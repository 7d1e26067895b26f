"""What the teaching kit adds to a build: ``python bench/kit.py`` (after ``make book``).

On a copy of the book's sources with the chapter pages as built (so the
book's own kit cache is not used), measures:

- the kit as a build makes it with nothing cached: every deck and handout
  (``teaching.make_kit``), and within it the decks alone and the handouts
  alone (Chromium started once);
- the kit as the next build makes it when no chapter changed (every deck and
  handout copied from the cache);
- LibreOffice Impress converting all eight decks to PDF, with a check that
  each gives one page per slide (the test suite converts one).

Writes a section "Teaching kit, measured on <date>" into ``bench/report.md``
(replacing the previous one) and ``bench/kit.json``, with the machine's
load average beside the figures: the machines are shared.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lbclbook import questions, toc  # noqa: E402
from lbclbook.toolchain import build, chapterpage, decks, handouts, teaching  # noqa: E402

BENCH = ROOT / "bench"
SECTION = "## Teaching kit, measured on"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__",
                                    ".pytest_cache", "*.egg-info", "node_modules")


def timed(job, *args):
    started = time.monotonic()
    result = job(*args)
    return time.monotonic() - started, result


def fresh_copy(folder: Path) -> tuple[Path, Path]:
    """A copy of the sources, and a site folder holding the built chapter pages."""
    root = folder / "book"
    shutil.copytree(ROOT, root, ignore=NOT_COPIED)
    site = folder / "site"
    shutil.copytree(build.work_html(ROOT) / "chapters", site / "chapters")
    return root, site


def parts(root: Path, site: Path, out: Path) -> dict[str, float]:
    """Seconds for all decks, and for all handouts, made one after the other."""
    bank = questions.bank(root)
    pages = {slug: chapterpage.read(site / "chapters" / f"{slug}.html", slug)
             for slug in toc.chapter_numbers(root)}
    cites = {slug: teaching.chapter_citation(root, slug) for slug in pages}
    asked = {slug: [q for q in bank if q.chapter == slug] for slug in pages}
    seconds_decks, _ = timed(lambda: [decks.make_deck(pages[s], cites[s], root / "figures",
                                                      asked[s], out / f"{s}.pptx")
                                      for s in pages])

    def all_handouts():
        playwright, browser = handouts.launch()
        try:
            for s in pages:
                handouts.make_handout(pages[s], cites[s], root / "figures", asked[s],
                                      out / f"{s}.pdf", browser)
        finally:
            browser.close()
            playwright.stop()
    seconds_handouts, _ = timed(all_handouts)
    return {"decks": seconds_decks, "handouts": seconds_handouts}


def render_all(folder: Path, out: Path) -> tuple[float, list[str]]:
    """Seconds for LibreOffice to convert every deck, and any deck whose page
    count is not its slide count."""
    from pptx import Presentation

    pptx = sorted(out.glob("*.pptx"))
    profile = folder / "libreoffice-profile"
    seconds, _ = timed(lambda: subprocess.run([
        "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
        "--convert-to", "pdf", "--outdir", str(folder / "rendered"), *map(str, pptx)],
        capture_output=True, check=True))
    wrong = []
    for deck in pptx:
        pdf = folder / "rendered" / f"{deck.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
        pages = re.search(r"^Pages:\s+(\d+)", info, re.M)
        if not pages or int(pages.group(1)) != len(Presentation(str(deck)).slides):
            wrong.append(deck.stem)
    return seconds, wrong


def main() -> None:
    if not (build.work_html(ROOT) / "chapters").is_dir():
        sys.exit("kit: build the book first (make book)")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        root, site = fresh_copy(folder)
        uncached, summary = timed(teaching.make_kit, root, site)
        cached, again = timed(teaching.make_kit, root, site)
        assert "(0 decks and 0 handouts made" in again, again
        out = folder / "parts"
        out.mkdir()
        split = parts(root, site, out)
        rendering, wrong = render_all(folder, out)
        deck_kb = sum(p.stat().st_size for p in (site / "decks").iterdir()) / 1024
        handout_kb = sum(p.stat().st_size for p in (site / "handouts").iterdir()) / 1024
    report = {
        "date": datetime.date.today().isoformat(),
        "load_average": os.getloadavg()[0],
        "kit_uncached_s": uncached, "kit_cached_s": cached,
        "decks_s": split["decks"], "handouts_s": split["handouts"],
        "libreoffice_all_eight_s": rendering, "decks_not_one_page_per_slide": wrong,
        "decks_kb": deck_kb, "handouts_kb": handout_kb,
    }
    (BENCH / "kit.json").write_text(json.dumps(report, indent=1) + "\n")
    section = markdown(report)
    path = BENCH / "report.md"
    text = path.read_text("utf-8") if path.exists() else ""
    before, _, after = text.partition(SECTION)
    rest = after.split("\n## ", 1)[1] if "\n## " in after else ""
    text = before.rstrip("\n") + "\n\n" + section + (f"\n## {rest}" if rest else "")
    path.write_text(text, "utf-8")
    print(section)


def markdown(r: dict) -> str:
    rendered = ("every deck one page per slide" if not r["decks_not_one_page_per_slide"]
                else "NOT one page per slide: " + ", ".join(r["decks_not_one_page_per_slide"]))
    return "\n".join([
        f"{SECTION} {r['date']}", "",
        f"What `make book` adds to make the eight slide decks and handouts, after the strict "
        f"build, on the pages it built (load average {r['load_average']:.1f} on 2 cores; "
        f"reproduce with `python bench/kit.py`).", "",
        "| step | seconds |",
        "| --- | --- |",
        f"| kit, nothing cached (a clean build, or the kit's code changed) | {r['kit_uncached_s']:.1f} |",
        f"| the 8 decks alone (python-pptx) | {r['decks_s']:.1f} |",
        f"| the 8 handouts alone (Chromium, started once) | {r['handouts_s']:.1f} |",
        f"| kit, no chapter changed (a build after a prose edit elsewhere) | {r['kit_cached_s']:.1f} |",
        "| a no-op `make book` | nothing added: it stops before the kit |",
        f"| LibreOffice Impress, all 8 decks to PDF (not part of the build) | "
        f"{r['libreoffice_all_eight_s']:.1f} ({rendered}) |", "",
        f"The decks weigh {r['decks_kb']:.0f} kB together, the handouts {r['handouts_kb']:.0f} kB. "
        "A build remakes only the deck and handout of a chapter whose page, figures, "
        "questions or citation changed.", "",
    ])


if __name__ == "__main__":
    main()
