"""Make a release: one version, one data date, one commit, one tag.

``make release VERSION=0.2.0`` (``scripts/release.py``) does, in order:

1. checks that the work tree is clean, that ``VERSION`` is ``X.Y.Z`` and newer
   than the latest release tag, and that no tag ``vX.Y.Z`` exists yet;
2. writes the version and the data's date into ``CITATION.cff``, the one
   place they are kept (every page, PDF, citation file and meta tag reads
   them there). The data's date is the date of the last commit that changed
   ``data/`` unless ``--date`` gives another;
3. regenerates ``.zenodo.json`` from ``CITATION.cff``;
4. commits both and tags the commit ``vX.Y.Z``.

Pushing the tag (``git push origin main vX.Y.Z``) makes the Pages workflow
build that version, keep its site as an asset of a GitHub release (which is
what Zenodo archives, with a DOI, once the repository is enabled there) and
publish it under ``/vX.Y.Z/``.

Why ``.zenodo.json`` as well as ``CITATION.cff``: Zenodo reads either, but
from ``CITATION.cff`` it can only make a software record (the Citation File
Format's ``type`` is ``software`` or ``dataset``); the book is a publication
of type book, which only ``.zenodo.json`` can say. When both files exist
Zenodo reads ``.zenodo.json`` alone, so it is generated from
``CITATION.cff`` here and a test checks that the two agree.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from .. import citation
from ..paths import book_root
from .changes import releases, version_tuple

ZENODO_FILE = ".zenodo.json"
SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
_VERSION_LINE = re.compile(r'^version: .*$', re.MULTILINE)
_DATE_LINE = re.compile(r'^date-released: .*$', re.MULTILINE)


class ReleaseError(RuntimeError):
    """A release that cannot be made as asked; nothing was changed."""


def zenodo_metadata(cff: dict) -> dict:
    """The Zenodo deposit metadata of this version, from ``CITATION.cff``.

    Constant: the record is an open-access publication of type book. The
    related identifier is this version's permanent copy on the site, which
    the archived sources build (``isSourceOf``).
    """
    return {
        "title": cff["title"],
        "upload_type": "publication",
        "publication_type": "book",
        "description": " ".join(cff["abstract"].split()),
        # Zenodo reads a name as "Family, Given"; an entity's name has no comma.
        "creators": [{"name": name} for name in citation.author_names(cff)],
        "version": str(cff["version"]),
        "publication_date": cff["date-released"],
        "license": cff["license"].lower(),
        "access_right": "open",
        "keywords": list(cff.get("keywords", [])),
        "related_identifiers": [{"identifier": citation.version_url(cff),
                                 "relation": "isSourceOf", "scheme": "url",
                                 "resource_type": "publication-book"}],
    }


def zenodo_text(cff: dict) -> str:
    return json.dumps(zenodo_metadata(cff), indent=2, ensure_ascii=False) + "\n"


def bumped(cff_text: str, version: str, day: datetime.date) -> str:
    """``CITATION.cff``'s text with the new version and data date (comments kept)."""
    for pattern in (_VERSION_LINE, _DATE_LINE):
        if len(pattern.findall(cff_text)) != 1:
            raise ReleaseError(f"CITATION.cff must have one line matching {pattern.pattern!r}")
    text = _VERSION_LINE.sub(f'version: "{version}"', cff_text)
    return _DATE_LINE.sub(f'date-released: "{day.isoformat()}"', text)


def data_changed_on(root: Path) -> datetime.date:
    """The date of the last commit that changed ``data/``."""
    day = _git(root, "log", "-1", "--format=%cs", "--", "data").strip()
    if not day:
        raise ReleaseError("no commit changed data/: give the data's date with --date")
    return datetime.date.fromisoformat(day)


def release(root: Path, version: str, day: datetime.date | None = None) -> str:
    """Make release ``version`` in the repository at ``root``; returns its tag."""
    if not SEMVER.match(version):
        raise ReleaseError(f"version {version!r}: write it as X.Y.Z (0.2.0)")
    if _git(root, "status", "--porcelain").strip():
        raise ReleaseError("the work tree has uncommitted changes: commit or stash them first")
    tag = f"v{version}"
    tags = releases(root) or []
    if tag in tags:
        raise ReleaseError(f"{tag} is already released")
    if tags and version_tuple(tag) <= version_tuple(tags[-1]):
        raise ReleaseError(f"{version} is not newer than the latest release, {tags[-1][1:]}")
    day = day or data_changed_on(root)
    cff_path = root / "CITATION.cff"
    cff_path.write_text(bumped(cff_path.read_text("utf-8"), version, day), "utf-8")
    cff = citation.metadata(root)
    (root / ZENODO_FILE).write_text(zenodo_text(cff), "utf-8")
    _git(root, "add", "CITATION.cff", ZENODO_FILE)
    if _git(root, "status", "--porcelain").strip():
        _git(root, "commit", "--quiet", "-m",
             f"Release {version}: CITATION.cff says version {version}, data of "
             f"{citation.long_date(day)}; .zenodo.json regenerated from it")
    _git(root, "tag", "--annotate", tag, "-m", f"{citation.edition(cff)}")
    return tag


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make a release of the book (see "
                                                 "lbclbook/toolchain/release.py).")
    parser.add_argument("version", nargs="?", default="",
                        help="the new version, X.Y.Z (make release VERSION=X.Y.Z)")
    parser.add_argument("--date", type=datetime.date.fromisoformat,
                        help="the data's date, YYYY-MM-DD (default: the last commit to data/)")
    args = parser.parse_args(argv)
    root = book_root()
    try:
        tag = release(root, args.version, args.date)
    except (ReleaseError, yaml.YAMLError) as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    print(f"release: tagged {tag} ({citation.edition(citation.metadata(root))}).\n"
          f"Publish it with: git push origin HEAD {tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
