"""The author's loop in tiers: ``python bench/tiers.py [--test-log FILE]``.

Measures, on a fresh copy of the book (or of ``--book``, e.g. an older
checkout, to compare), with ``--repeat`` repetitions and the median:

- a clean build (``--clean``), then a no-op ``make book`` right after it,
  and their ratio (target: no-op at most 10% of clean);
- ``make check`` (``pytest -m "not build and not slow"``), in the working tree;
- from ``--test-log``, the output of a ``make test`` run: its wall time and
  the clean build measured in that same run (conftest.py prints both).

Writes a section "Tiers, measured on <date>" into ``bench/report.md``
(replacing the previous one) and ``bench/tiers.json``. The load average of
the machine is recorded beside each figure: the machines are shared.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__",
                                    ".pytest_cache", "*.egg-info", "node_modules", "report.*")
SECTION = "## Tiers, measured on"


def build_module(root: Path) -> str:
    toolchain = (root / "lbclbook" / "toolchain" / "build.py").exists()
    return "lbclbook.toolchain.build" if toolchain else "lbclbook.build"


def timed(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float]:
    """(seconds, load average when it ended); stops the bench if it fails."""
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(f"tiers: {' '.join(command)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    return seconds, os.getloadavg()[0]


def builds(book: Path, repeat: int, clean_repeat: int) -> dict:
    """``clean_repeat`` clean builds, each followed by ``repeat`` no-op builds."""
    env = {**os.environ, "PYTHONPATH": str(book)}  # the copy's package, not an installed one
    clean, noop, loads = [], [], []
    with tempfile.TemporaryDirectory(prefix="lbclbook-tiers-") as work:
        root = Path(work) / "book"
        shutil.copytree(book, root, ignore=NOT_COPIED)
        command = [sys.executable, "-m", build_module(root)]
        for _ in range(clean_repeat):
            seconds, load = timed(command + ["--clean"], root, env)
            clean.append(seconds)
            loads.append(load)
            for _ in range(repeat):
                seconds, load = timed(command, root, env)
                noop.append(seconds)
    ratios = [n / median(clean) for n in noop]
    return {"book": str(book), "module": build_module(book), "clean_s": clean, "noop_s": noop,
            "noop_ratio": ratios, "load": loads}


def make_check(repeat: int) -> dict:
    command = [sys.executable, "-m", "pytest", "-m", "not build and not slow", "-q",
               "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [timed(command, ROOT, env) for _ in range(repeat)]
    return {"seconds": [s for s, _ in runs], "load": [load for _, load in runs]}


def from_test_log(path: Path) -> dict:
    text = path.read_text("utf-8", errors="replace")
    clean = re.search(r"^clean build: (\d+) s$", text, re.MULTILINE)
    whole = re.search(r"^whole run: (\d+) s = ([\d.]+)x the clean build$", text, re.MULTILINE)
    summary = re.findall(r"^=+ (.*(?:passed|failed).*) in [\d.]+s", text, re.MULTILINE)
    return {"clean_s": int(clean.group(1)) if clean else None,
            "whole_s": int(whole.group(1)) if whole else None,
            "ratio": float(whole.group(2)) if whole else None,
            "summary": summary[-1] if summary else None,
            "jobs": dict(re.findall(r"^(\w+): (\d+) s$", text, re.MULTILINE))}


def median(values: list[float]) -> float:
    return statistics.median(values)


def markdown(report: dict) -> str:
    b = report["builds"]
    lines = [f"{SECTION} {report['date']}", "",
             f"Written by `bench/tiers.py` ({report['machine']}; {report['clean_repeat']} clean "
             f"build(s), each followed by {report['repeat']} no-op builds; medians, spread in "
             "brackets; the machine is shared, so the 1-minute load average is given).", "",
             "| what | seconds | load | target |", "| --- | --- | --- | --- |",
             f"| clean build ({b['module']}) | {median(b['clean_s']):.1f} "
             f"({min(b['clean_s']):.1f}-{max(b['clean_s']):.1f}) | "
             f"{median(b['load']):.1f} | |",
             f"| no-op `make book` after it | {median(b['noop_s']):.2f} | | |",
             f"| no-op / clean | {median(b['noop_ratio']):.1%} | | at most 10% |"]
    if "before" in report:
        o = report["before"]
        lines.append(f"| the same before (`{o['module']}`, {o['book']}) | clean "
                     f"{median(o['clean_s']):.1f}, no-op {median(o['noop_s']):.2f}: "
                     f"{median(o['noop_ratio']):.1%} | {median(o['load']):.1f} | |")
    if "check" in report:
        c = report["check"]
        lines.append(f"| `make check` | {median(c['seconds']):.1f} | {median(c['load']):.1f} "
                     "| well under 60 |")
    if "test" in report and report["test"]["whole_s"]:
        t = report["test"]
        lines.append(f"| `make test` (one run; {t['summary']}) | {t['whole_s']} "
                     f"({t['ratio']:.1f}x its own clean build of {t['clean_s']} s) | | "
                     "at most 12x a clean build |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="no-op builds after each clean "
                        "build, and make check runs")
    parser.add_argument("--clean-repeat", type=int, default=3, help="clean builds")
    parser.add_argument("--before", type=Path, help="an older checkout to compare no-op builds with")
    parser.add_argument("--test-log", type=Path, help="the output of a `make test` run")
    parser.add_argument("--no-check", action="store_true")
    args = parser.parse_args()
    report = {"date": datetime.date.today().isoformat(),
              "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
              "repeat": args.repeat, "clean_repeat": args.clean_repeat,
              "builds": builds(ROOT, args.repeat, args.clean_repeat)}
    if args.before:
        report["before"] = builds(args.before.resolve(), args.repeat, args.clean_repeat)
    if not args.no_check:
        report["check"] = make_check(args.repeat)
    if args.test_log:
        report["test"] = from_test_log(args.test_log)
    (BENCH / "tiers.json").write_text(json.dumps(report, indent=1) + "\n")
    section = markdown(report)
    path = BENCH / "report.md"
    text = path.read_text("utf-8") if path.exists() else ""
    text = text.split(SECTION)[0].rstrip("\n") + "\n\n" + section
    path.write_text(text, "utf-8")
    print(section)


if __name__ == "__main__":
    main()
