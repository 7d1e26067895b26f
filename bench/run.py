"""Benchmarks of the author's loop and the reader's page: ``make bench``.

Each repetition works on a fresh copy of the book in a temporary folder and
times, in this order: a clean build executing one notebook at a time
(``--jobs 1``), a clean build on every core, strict nbval, a no-op rebuild,
a prose-only edit of one chapter, a code edit of one chapter, an edit of one
data table, and ``make pdf`` (book up to date, then every chapter PDF). For
each it records which notebooks were executed, from the build's log. Then
Chromium loads every chapter page of the last copy's site from a localhost
server (``bench/browser.py``).

Writes ``bench/report.json`` and ``bench/report.md``: the median and the
spread (min to max) of each case, and whether each target is met.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import browser  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__",
                                    ".pytest_cache", "*.egg-info", "report.*")
PRE_EXECUTED = re.compile(r"lbclbook\.toolchain\.execute: ([\w/.-]+\.md): executed in")
MYST_NB_EXECUTING = re.compile(r"([\w/.-]+\.md): Executing notebook")
EDITED_CHAPTER = "chapters/radiotherapy.md"
EDITED_TABLE = "survival"


def build(root: Path, *args: str) -> list[str]:
    return run(root, [sys.executable, "-m", "lbclbook.toolchain.build", *args])


def run(root: Path, command: list[str], **kwargs) -> list[str]:
    """Run ``command`` in ``root``; the log it printed, or stop the bench."""
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:  # recorded and reported, not hidden
        print(f"bench: {' '.join(command[-2:])} FAILED:\n{result.stderr[-1500:]}", flush=True)
        return result.stdout + result.stderr + "\nbench: FAILED\n"
    return result.stdout + result.stderr


def executed(root: Path, log: str) -> list[str]:
    """Pages executed by the pre-executor or by MyST-NB, relative to the book."""
    names = PRE_EXECUTED.findall(log)
    names += [Path(path).resolve().relative_to(root).as_posix()
              for path in MYST_NB_EXECUTING.findall(log)]
    return sorted(set(names))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def nbval(root: Path) -> list[str]:
    """Strict nbval on the executed notebooks, as tests/test_build.py runs it."""
    notebooks = root / "_build" / ".work" / "_build" / "jupyter_execute"
    plugin = root / "tests" / "nbval"
    command = [sys.executable, "-m", "pytest", "--nbval", "-p", "compare_images",
               "--nbval-sanitize-with", str(plugin / "sanitize.cfg"),
               "-p", "no:cacheprovider", "-q", "--rootdir", str(notebooks), str(notebooks)]
    import os
    return run(notebooks, command, env={**os.environ, "PYTHONPATH": str(plugin)})


def make_pdf(root: Path) -> list[str]:
    return build(root) + run(root, [sys.executable, "-m", "lbclbook.toolchain.pdf"])


def one_repetition(root: Path) -> dict[str, tuple[float, list[str]]]:
    """Every case once, on a fresh copy at ``root``: {case: (seconds, executed)}."""
    chapter = root / EDITED_CHAPTER
    steps = [
        ("clean, serial (--jobs 1)", lambda: build(root, "--clean", "--jobs", "1")),
        ("clean, parallel (2 jobs)", lambda: build(root, "--clean")),
        ("strict nbval", lambda: nbval(root)),
        ("no-op rebuild", lambda: build(root)),
        ("prose-only edit", lambda: (edit(chapter, "\n# Radiotherapy\n",
                                          "\n# Radiotherapy\n\nA sentence added.\n"),
                                     build(root))[1]),
        ("code edit", lambda: (edit(chapter, "import pandas as pd\n",
                                    "import pandas as pd  # edited\n"),
                               build(root))[1]),
        (f"data edit ({EDITED_TABLE}.csv)",
         lambda: (edit(root / "data" / f"{EDITED_TABLE}.csv",
                       "chow2019,progressed after CD19 CAR-T,61,OS,median,5.3,",
                       "chow2019,progressed after CD19 CAR-T,61,OS,median,7.7,"),
                  build(root))[1]),
        ("make pdf", lambda: make_pdf(root)),
    ]
    results = {}
    for case, step in steps:
        started = time.monotonic()
        log = step()
        results[case] = (time.monotonic() - started, executed(root, log))
        print(f"bench: {case}: {results[case][0]:.1f} s, "
              f"executed {len(results[case][1])}", flush=True)
    return results


def readers_of(root: Path, table: str) -> list[str]:
    """The pages whose output depends on ``table`` (as lbclbook.toolchain.sphinxext sees it)."""
    from lbclbook.data import table_names
    from lbclbook.toolchain.execute import executable_pages
    from lbclbook.toolchain.stamps import tables_read

    names = table_names(root)
    return sorted(p.relative_to(root).as_posix() for p in executable_pages(root)
                  if table in tables_read(p.read_text("utf-8"), names))


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def chapter_pages(root: Path) -> list[str]:
    from lbclbook.toolchain.execute import executable_pages
    return [p.relative_to(root).with_suffix(".html").as_posix()
            for p in executable_pages(root) if p.parts[-2] == "chapters"]


def targets(builds: dict, pages: dict, readers: list[str]) -> list[tuple[str, str, bool]]:
    """(target, measured, met) for each target of the issue."""
    t = {case: v["seconds"]["median"] for case, v in builds.items()}
    clean, serial = t["clean, parallel (2 jobs)"], t["clean, serial (--jobs 1)"]
    data_case = f"data edit ({EDITED_TABLE}.csv)"
    heaviest = max(pages.values(), key=lambda p: p["bytes"])
    slowest = max(pages.values(), key=lambda p: p["lcp_ms"]["median"])
    return [
        ("no-op rebuild <= 10% of clean", f"{t['no-op rebuild'] / clean:.0%}",
         t["no-op rebuild"] <= 0.10 * clean),
        ("prose-only edit executes nothing, <= 30% of clean",
         f"{t['prose-only edit'] / clean:.0%}, executed "
         f"{len(builds['prose-only edit']['executed'])}",
         not builds["prose-only edit"]["executed"] and t["prose-only edit"] <= 0.30 * clean),
        (f"data edit re-executes exactly the readers of {EDITED_TABLE}",
         ", ".join(builds[data_case]["executed"]),
         builds[data_case]["executed"] == readers),
        ("parallel clean <= 65% of serial clean", f"{clean / serial:.0%}", clean <= 0.65 * serial),
        ("every chapter page <= 1.5 MB on first load", f"max {heaviest['bytes'] / 1e6:.2f} MB",
         all(p["bytes"] <= 1.5e6 for p in pages.values())),
        ("LCP < 1 s from localhost", f"max {slowest['lcp_ms']['median']:.0f} ms",
         all(p["lcp_ms"]["median"] < 1000 for p in pages.values())),
        ("figures sized for the screen (file at most 2.5x its shown width)",
         f"max {max(p['figure_scale'] for p in pages.values()):.1f}x",
         all(p["figure_scale"] <= 2.5 for p in pages.values())),
    ]


def summarise_pages(loads: dict[str, list[dict]]) -> dict[str, dict]:
    summary = {}
    for page, runs in loads.items():
        figures = [f for run in runs for f in run["figures"] if f["shown"]]
        summary[page] = {
            "bytes": int(statistics.median(r["bytes"] for r in runs)),
            "requests": int(statistics.median(r["requests"] for r in runs)),
            "dom_content_loaded_ms": spread([r["dom_content_loaded_ms"] for r in runs]),
            "lcp_ms": spread([r["lcp_ms"] or float("inf") for r in runs]),  # none: no paint
            "figure_scale": max((f["natural"] / f["shown"] for f in figures), default=0.0),
        }
    return summary


def write_markdown(report: dict) -> str:
    lines = ["# Benchmarks", "",
             f"{report['machine']}; {report['repeat']} repetitions; median (min-max). "
             f"Reproduce with `make bench`.", "",
             "| case | seconds | executed notebooks |", "| --- | --- | --- |"]
    for case, v in report["builds"].items():
        s = v["seconds"]
        names = ", ".join(v["executed"]) if len(v["executed"]) <= 4 else f"all {len(v['executed'])}"
        lines.append(f"| {case} | {s['median']:.1f} ({s['min']:.1f}-{s['max']:.1f}) "
                     f"| {names or 'none'} |")
    lines += ["", "Chapter pages, first load in Chromium from localhost (1280x800):", "",
              "| page | kB transferred | requests | DOMContentLoaded ms | LCP ms | figure file / shown width |",
              "| --- | --- | --- | --- | --- | --- |"]
    for page, p in report["pages"].items():
        d, lcp = p["dom_content_loaded_ms"], p["lcp_ms"]
        lines.append(f"| {page} | {p['bytes'] / 1000:.0f} | {p['requests']} "
                     f"| {d['median']:.0f} ({d['min']:.0f}-{d['max']:.0f}) "
                     f"| {lcp['median']:.0f} ({lcp['min']:.0f}-{lcp['max']:.0f}) "
                     f"| {p['figure_scale']:.1f}x |")
    lines += ["", "| target | measured | met |", "| --- | --- | --- |"]
    lines += [f"| {t} | {m} | {'yes' if ok else '**no**'} |" for t, m, ok in report["targets"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lbclbook-bench-"))
    try:
        runs = []
        for repetition in range(args.repeat):
            root = work / f"run{repetition}" / "book"
            shutil.copytree(ROOT, root, ignore=NOT_COPIED)
            runs.append(one_repetition(root))
        builds = {case: {"seconds": spread([r[case][0] for r in runs]),
                         "executed": runs[-1][case][1]} for case in runs[0]}
        pages = summarise_pages(browser.measure_pages(root / "_build" / "html",
                                                      chapter_pages(root), args.repeat))
        readers = readers_of(root, EDITED_TABLE)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    import os
    report = {"machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "repeat": args.repeat, "builds": builds, "pages": pages,
              "readers_of_edited_table": readers,
              "targets": targets(builds, pages, readers)}
    (BENCH / "report.json").write_text(json.dumps(report, indent=1) + "\n")
    (BENCH / "report.md").write_text(write_markdown(report))
    print(write_markdown(report))


if __name__ == "__main__":
    main()
