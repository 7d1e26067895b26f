"""Build the book: ``python -m lbclbook.toolchain.build [--clean]`` (what ``make book`` runs).

0. If the sources, the package and the environment are those of the last
   successful build, and the site is the one it published, stop: the site
   is up to date (``uptodate``).
1. Validate every data table. Bad data stops here, with one message naming
   file, row, column and rule, before anything is executed or rendered.
2. Execute the pages whose code or data changed, on every core, into the
   execution cache (``lbclbook.toolchain.execute``); a failing cell stops here.
3. Build strictly (``-W -n --keep-going``) into a work folder that keeps the
   execution cache between builds: Sphinx finds every page in the cache.
4. Make each chapter's slide deck and handout from its built page
   (``teaching``), again only what changed.
5. Only if that succeeded, publish the HTML to ``_build/html`` by renaming a
   complete copy into place, so a failed build never leaves the last good
   site half-overwritten.

A build that is interrupted (killed, or the machine stops) counts as failed:
the last good site stays, and the next build reads every page again. So does
a build after a change of the toolchain (``uptodate.toolchain_changed``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ..paths import book_root
from . import offers, uptodate

WORK = Path("_build") / ".work"          # jupyter-book's --path-output
SITE = Path("_build") / "html"            # what readers and tests see
# Present from the start of a build until it succeeds, so it is left by a
# failed build and by an interrupted one. Sphinx saves its environment before
# it writes the pages, and even when warnings failed the build, so the next
# incremental build would find nothing to do and publish stale pages: after
# a failure, every page is read again (executions stay cached).
FAILED = WORK / "last-build-failed"
# What the last successful build read and published (see ``uptodate``).
LAST_GOOD = WORK / "last-good-build.json"


def work_html(root: Path) -> Path:
    return root / WORK / "_build" / "html"


def executed_notebooks(root: Path) -> Path:
    """The notebooks as the build executed them (nbval re-runs these)."""
    return root / WORK / "_build" / "jupyter_execute"


def build(root: Path, clean: bool = False, jobs: int = os.cpu_count() or 1) -> int:
    """Validate, execute, build, publish; ``jobs=0`` leaves execution to MyST-NB."""
    started = time.monotonic()
    restore_interrupted_publish(root / SITE)
    sources = uptodate.inputs(root)
    if (not clean and not (root / FAILED).exists()
            and uptodate.unchanged(root / LAST_GOOD, sources, root / SITE)):
        print(f"make book: nothing changed since the last good build; {SITE} is up to date "
              f"({time.monotonic() - started:.1f} s)")
        return 0
    # Imported here, not above, so that a build with nothing to do stays quick.
    from .. import citecheck, data
    from . import execute

    try:
        data.validate_all(root)
    except data.DataError as error:
        print(f"make book: stopped before building.\n{error}", file=sys.stderr)
        return 2
    # A citation without its page's prefix would only say "could not find
    # bibtex key" after a minute of building: name page, line, key and prefix now.
    if cites := citecheck.problems(root):
        print("make book: stopped before building.\n" + "\n".join(cites), file=sys.stderr)
        return 2
    if clean:
        shutil.rmtree(root / WORK, ignore_errors=True)
    reread_all = ((root / FAILED).exists()
                  or uptodate.toolchain_changed(root / LAST_GOOD, sources))
    (root / FAILED).parent.mkdir(parents=True, exist_ok=True)
    (root / FAILED).touch()  # until this build succeeds (see FAILED)
    if jobs > 0 and not execute.execute_pages(root, jobs):
        print(f"make book: a page failed to execute; {SITE} still holds the last good site.",
              file=sys.stderr)
        return 1
    code = subprocess.call(_jupyter_book_command(root, reread_all), cwd=root)
    if code != 0:
        print(f"make book: the strict build failed (exit {code}); "
              f"{SITE} still holds the last good site.", file=sys.stderr)
        return code
    execute.write_executed(root, executed_notebooks(root))  # for nbval
    # The slide decks and handouts, from the pages just built: published with
    # them or not at all, so the pages never link to a missing or stale one.
    from . import teaching
    try:
        print(f"make book: {teaching.make_kit(root, work_html(root))}")
    except Exception as error:  # the kit's tools fail in their own ways; name it and stop
        print(f"make book: the teaching kit could not be made ({type(error).__name__}: "
              f"{error}); {SITE} still holds the last good site.", file=sys.stderr)
        return 1
    (root / FAILED).unlink(missing_ok=True)
    publish(work_html(root), root / SITE)
    built = uptodate.inputs(root)
    if uptodate.same_sources(sources, built):  # nothing edited while it built
        uptodate.record(root / LAST_GOOD, built, root / SITE)
    else:
        uptodate.forget(root / LAST_GOOD)
    print(f"make book: built in {time.monotonic() - started:.0f} s -> {SITE}")
    return 0


def _jupyter_book_command(root: Path, reread_all: bool) -> list[str]:
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--path-output", str(root / WORK),
               "-W", "-n", "--keep-going"]
    return command + ["--all"] if reread_all else command


def publish(built: Path, site: Path) -> None:
    """Replace ``site`` with a copy of ``built`` by renames, never in place."""
    restore_interrupted_publish(site)
    incoming, outgoing = _incoming(site), _outgoing(site)
    for leftover in (incoming, outgoing):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(built, incoming)
    offers.withdraw_missing(incoming)  # no link to a file this site lacks
    if site.exists():
        os.rename(site, outgoing)
    os.rename(incoming, site)
    shutil.rmtree(outgoing, ignore_errors=True)


def restore_interrupted_publish(site: Path) -> None:
    """Put the last good site back if a publish stopped between its renames."""
    if not site.exists() and _outgoing(site).exists():
        os.rename(_outgoing(site), site)


def _incoming(site: Path) -> Path:
    return site.with_name(site.name + ".incoming")


def _outgoing(site: Path) -> Path:
    return site.with_name(site.name + ".outgoing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true",
                        help="drop the execution cache: execute every chapter")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks executed at once (default: one per core); "
                             "0 leaves execution to MyST-NB, one at a time")
    args = parser.parse_args(argv)
    return build(book_root(), clean=args.clean, jobs=args.jobs)


if __name__ == "__main__":
    sys.exit(main())
