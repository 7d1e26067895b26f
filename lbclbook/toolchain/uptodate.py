"""Is the published site the build of the current sources? (the no-op build)

A build that changes nothing still used to validate every table, read every
page to check its cache entry, start Sphinx and republish the site: about a
quarter of a clean build. Instead, after each successful build, ``record``
writes a fingerprint of everything the build read (every file of the book
but build output, version control and the virtual environment; the
``lbclbook`` package wherever it is imported from; Python and the installed
distributions) and of the site it published. The next build asks
``unchanged``: if both fingerprints match and no build failed since, the
site is what the sources give and the build stops there.

Any difference means a full build, with every guarantee of one: bad data
stops it, a data edit re-executes its readers, a failed build keeps the last
good site. The fingerprint is of contents, not modification times, and of
paths relative to the book, so a copy of a built book is up to date too.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

NOT_INPUTS = {".git", ".venv", "_build", "__pycache__", ".pytest_cache", "node_modules",
              ".ipynb_checkpoints"}
OUTPUTS = ("figures/",)  # written by the build itself (the chapters' figures)
TOOLCHAIN = ("lbclbook/toolchain/", "<package>/toolchain/")


def _files(folder: Path):
    for path in sorted(folder.iterdir()):
        if path.name in NOT_INPUTS or path.name.endswith(".egg-info"):
            continue
        if path.is_dir():
            yield from _files(path)
        elif path.is_file():
            yield path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs(root: Path) -> dict[str, str]:
    """Each input of a build -> the hash of its content."""
    found = {path.relative_to(root).as_posix(): _digest(path) for path in _files(root)}
    package = Path(__file__).resolve().parents[1]  # lbclbook, maybe not the book's copy
    if package.parent != root.resolve():
        found |= {f"<package>/{path.relative_to(package).as_posix()}": _digest(path)
                  for path in _files(package)}
    environment = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    found["<environment>"] = hashlib.sha256(
        "\n".join([sys.version, *environment]).encode()).hexdigest()
    return found


def site(folder: Path) -> str:
    """One hash of a published site: every file's path and content."""
    digest = hashlib.sha256()
    for path in _files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(_digest(path).encode())
    return digest.hexdigest()


def _combined(found: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(found, sort_keys=True).encode()).hexdigest()


def same_sources(before: dict[str, str], after: dict[str, str]) -> bool:
    """Did nothing but the build's own outputs change between ``before`` and ``after``?"""
    def sources(found):
        return {k: v for k, v in found.items() if not k.startswith(OUTPUTS)}
    return sources(before) == sources(after)


def _toolchain(found: dict[str, str]) -> str:
    """One hash of what turns pages into HTML: this wing of the package and
    the installed distributions (Sphinx, the theme, the extensions)."""
    return _combined({k: v for k, v in found.items()
                      if k.startswith(TOOLCHAIN) or k == "<environment>"})


def record(state: Path, found: dict[str, str], published: Path) -> None:
    """Note a successful build of ``found`` that published ``published``."""
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps({"inputs": _combined(found), "site": site(published),
                                 "toolchain": _toolchain(found)}))


def toolchain_changed(state: Path, found: dict[str, str]) -> bool:
    """Has the toolchain changed since the last good build (or is that unknown)?

    Sphinx re-reads a page when the page changes, not when the code that
    renders it does (a role, a directive, the bibliography style): after such
    a change every page must be read again, or the site mixes old and new output.
    """
    if not state.exists():
        return True
    return json.loads(state.read_text()).get("toolchain") != _toolchain(found)


def republished(state: Path, found: dict[str, str], published: Path) -> None:
    """The last good build's site now holds more (``make pdf`` added the PDFs):
    if that build read ``found``, note the site as it is now, so that
    ``make book`` still has nothing to do (and keeps the PDFs)."""
    if state.exists() and json.loads(state.read_text()).get("inputs") == _combined(found):
        record(state, found, published)


def forget(state: Path) -> None:
    state.unlink(missing_ok=True)


def unchanged(state: Path, found: dict[str, str], published: Path) -> bool:
    """Did the last successful build read ``found`` and publish what ``published`` holds?"""
    if not state.exists() or not published.is_dir():
        return False
    recorded = json.loads(state.read_text())
    return (recorded.get("inputs") == _combined(found)
            and recorded.get("site") == site(published))
