"""Where the book lives on disk.

A chapter runs in different working directories: its own folder during the
build, ``_build/.../jupyter_execute/chapters`` under nbval, a temporary copy in
the tests. So the root is found by walking upwards, never by relative paths.
"""

from __future__ import annotations

from pathlib import Path

MARKERS = ("_config.yml", "data/datapackage.json")


def book_root(start: Path | str | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) holding the book."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if all((folder / marker).exists() for marker in MARKERS):
            return folder
    raise FileNotFoundError(
        f"no book root (a folder with {' and '.join(MARKERS)}) at or above {here}"
    )
