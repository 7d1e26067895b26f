"""Lighthouse on every page, as a reader's phone sees it: ``python bench/lighthouse.py``.

Serves the built site (``_build/html``; run ``make book`` first) the way
GitHub Pages does (``lbclbook.toolchain.serve``: gzip, its cache headers) and
runs Lighthouse 12 (npm, locked in ``tests/browser``) with Debian's Chromium
and Lighthouse's defaults: mobile emulation, simulated slow 4G. For every
chapter page (and, with ``--all``, every page) it records the four category
scores and first contentful paint, largest contentful paint, total blocking
time and bytes transferred, ``--repeat`` times (median).

Writes ``bench/lighthouse.json`` and a section "Lighthouse, measured on"
into ``bench/report.md`` (replacing the previous one), with the targets of
the phone-speed issue: performance >= 95, LCP <= 2.5 s, the other three
categories 100. The load average is recorded: the machines are shared, and
Lighthouse's simulated timings follow the CPU time the page really took.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from lbclbook.toc import pages_in_toc  # noqa: E402
from lbclbook.toolchain.serve import server  # noqa: E402

BENCH = ROOT / "bench"
SITE = ROOT / "_build" / "html"
LIGHTHOUSE = ROOT / "tests" / "browser" / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"FCP s": ("first-contentful-paint", 1000), "LCP s": ("largest-contentful-paint", 1000),
           "TBT ms": ("total-blocking-time", 1), "kB": ("total-byte-weight", 1024)}
SECTION = "## Lighthouse, measured on"
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
LCP_TARGET_S = 2.5


def lighthouse(url: str, out: Path) -> dict:
    """One Lighthouse run: scores (0-100) and metrics of ``url``."""
    subprocess.run(
        ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
         f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True)
    result = json.loads(out.read_text("utf-8"))
    row = {c: round(100 * (result["categories"][c]["score"] or 0)) for c in CATEGORIES}
    for name, (audit, scale) in METRICS.items():
        row[name] = result["audits"][audit]["numericValue"] / scale
    row["failed audits"] = sorted(
        a["id"] for a in result["audits"].values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return row


def median_row(rows: list[dict]) -> dict:
    merged = {k: statistics.median(r[k] for r in rows) for k in (*CATEGORIES, *METRICS)}
    merged["failed audits"] = sorted(set().union(*(r["failed audits"] for r in rows)))
    return merged


def pages(all_pages: bool) -> list[str]:
    names = pages_in_toc(ROOT)
    if not all_pages:
        names = [n for n in names if n.startswith("chapters/")]
    return [n.removesuffix(".md") + ".html" if n != "intro" else "index.html" for n in names]


def met(row: dict) -> bool:
    return all(row[c] >= t for c, t in TARGETS.items()) and row["LCP s"] <= LCP_TARGET_S


def markdown(results: dict[str, dict], repeat: int, load: float) -> str:
    day = datetime.date.today().isoformat()
    lines = [f"{SECTION} {day}", "",
             f"Lighthouse 12, mobile emulation, simulated slow 4G, Debian's Chromium; the site served "
             f"with gzip as GitHub Pages serves it (`make serve`); median of {repeat}; "
             f"load average {load:.1f} on 2 cores. Reproduce with `python bench/lighthouse.py`.", "",
             "| page | performance | accessibility | best practices | SEO | FCP s | LCP s | TBT ms | kB | targets met |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for page, r in results.items():
        lines.append(f"| {page} | {r['performance']:.0f} | {r['accessibility']:.0f} | "
                     f"{r['best-practices']:.0f} | {r['seo']:.0f} | {r['FCP s']:.1f} | {r['LCP s']:.1f} | "
                     f"{r['TBT ms']:.0f} | {r['kB']:.0f} | {'yes' if met(r) else '**no**'} |")
    failing = sorted(set().union(*(r["failed audits"] for r in results.values())))
    lines += ["", "Audits below 0.9 on some page: " + (", ".join(failing) or "none") + "."]
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    report = BENCH / "report.md"
    old = report.read_text("utf-8") if report.exists() else "# Benchmarks\n"
    kept = old.split(SECTION)[0].rstrip() + "\n\n"
    rest = old.split(SECTION, 1)[1].split("\n## ", 1) if SECTION in old else ["", ""]
    tail = ("\n## " + rest[1]) if len(rest) > 1 and rest[1] else ""
    report.write_text(kept + text + tail, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="every page, not only chapters")
    args = parser.parse_args()
    if not (SITE / "index.html").exists():
        sys.exit("lighthouse: no built site; run `make book` first")
    httpd = server(SITE, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages(args.all):
            runs = [lighthouse(base + page, Path(tmp) / f"run{i}.json") for i in range(args.repeat)]
            results[page] = median_row(runs)
            print(f"{page}: performance {results[page]['performance']:.0f}, "
                  f"LCP {results[page]['LCP s']:.1f} s", flush=True)
    httpd.shutdown()
    load = os.getloadavg()[0]
    (BENCH / "lighthouse.json").write_text(json.dumps(
        {"date": datetime.date.today().isoformat(), "load": load, "pages": results}, indent=1) + "\n")
    write_section(markdown(results, args.repeat, load))


if __name__ == "__main__":
    main()
