"""The published site: the latest version at the root, each release under ``v<version>/``.

A citation names a version of the book and its address in that version's
permanent copy (``lbclbook.citation.cited_url``), so every release must stay
readable after the next one. GitHub Pages serves one folder per deployment;
this assembles it from sites that are already built:

- the latest site (built from ``main``, or from the tag being released) at
  the root;
- each release's own site (kept as an asset of its GitHub release, see
  ``.github/workflows/pages.yml``) under ``v<version>/``, its pages given a
  banner: an older version points to the same page in the current version;
  the copy of the current version says that it is the current one.

Each site says which version it is in its ``version.json`` (written by
``lbclbook.toolchain.citing``); ``versions.json`` at the root lists them all.
Only the standard library is used, so the workflow runs this without
installing the book's packages:

    python -m lbclbook.toolchain.versions --latest _build/html \\
        --releases _build/releases --out _build/pages

where each folder in ``_build/releases`` is one release's built site.
"""

from __future__ import annotations

import argparse
import html
import json
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

VERSION_FILE = "version.json"  # as lbclbook.toolchain.citing writes it
INDEX_FILE = "versions.json"
BANNER_CLASS = "lbcl-version-banner"
_MAIN = re.compile(r"<main\b[^>]*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
# Fixed colours (the banner cannot rely on an old version's stylesheet):
# dark text on a pale background, contrast above 12:1 in either colour scheme.
BANNER_STYLE = ("margin:0 0 1rem;padding:0.75rem 1rem;border:2px solid #9a3412;"
                "border-radius:0.3rem;background:#fff7ed;color:#1c1917;")
LINK_STYLE = "color:#9a3412;text-decoration:underline;"


@dataclass(frozen=True)
class Site:
    """A built site and the version it shows."""

    path: Path
    version: str
    edition: str  # "Version 0.1.0, data of 23 November 2026"

    @property
    def folder(self) -> str:
        return f"v{self.version}"


def read_site(path: Path) -> Site:
    info_file = path / VERSION_FILE
    if not info_file.is_file():
        raise SystemExit(f"{path} is not a built site of the book: it has no {VERSION_FILE}")
    info = json.loads(info_file.read_text("utf-8"))
    return Site(path, str(info["version"]), str(info["edition"]))


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def publish(latest: Path, releases: list[Path], out: Path) -> dict:
    """Assemble ``out``: ``latest`` at the root, each release under ``v<version>/``
    with its banner. Returns the index written to ``versions.json``."""
    current = read_site(latest)
    sites = sorted((read_site(path) for path in releases), key=lambda s: version_key(s.version))
    folders = [site.folder for site in sites]
    if len(set(folders)) != len(folders):
        raise SystemExit(f"two release sites of the same version: {', '.join(folders)}")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(latest, out)
    for site in sites:
        if (out / site.folder).exists():
            raise SystemExit(f"the latest site already has a folder {site.folder}/")
        shutil.copytree(site.path, out / site.folder)
        for page in sorted((out / site.folder).rglob("*.html")):
            relative = page.relative_to(out / site.folder).as_posix()
            text = page.read_text("utf-8")
            page.write_text(add_banner(text, banner(site, current, relative, out)), "utf-8")
    index = {"latest": current.version,
             "releases": [{"version": s.version, "path": f"{s.folder}/", "edition": s.edition}
                          for s in sites]}
    (out / INDEX_FILE).write_text(json.dumps(index, indent=1) + "\n", "utf-8")
    return index


def banner(site: Site, current: Site, page: str, out: Path) -> str:
    """The banner of ``page`` (a path in ``site``) once published under ``v<version>/``."""
    depth = page.count("/") + 1  # + the v<version>/ folder
    same_page = page if (out / page).is_file() else "index.html"
    href = posixpath.join(*[".."] * depth, same_page)
    link = f'<a href="{html.escape(href)}" style="{LINK_STYLE}">'
    if site.version == current.version:
        message = (f"This is the permanent copy of version {html.escape(site.version)} of "
                   f"the book, the current version; it stays here unchanged after later "
                   f"releases, so that citations of it stay readable. {link}Read the "
                   f"book at its usual address</a>.")
    else:
        message = (f"You are reading an older version of this book: "
                   f"{html.escape(site.edition)}, kept unchanged so that citations of it "
                   f"stay readable. The current version is {html.escape(current.version)}: "
                   f"{link}read this page in the current version</a>.")
    return (f'<div class="{BANNER_CLASS}" role="note" aria-label="Version of this page" '
            f'style="{BANNER_STYLE}">{message}</div>')


def add_banner(page: str, banner_html: str) -> str:
    """The page with the banner at the start of its main content (or of its body)."""
    if BANNER_CLASS in page:
        return page  # already there: publishing twice gives the same pages
    for opening in (_MAIN, _BODY):
        found = opening.search(page)
        if found:
            return page[:found.end()] + banner_html + page[found.end():]
    return page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latest", type=Path, required=True, help="the latest built site")
    parser.add_argument("--releases", type=Path,
                        help="a folder holding one built site per release (may be missing)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to publish")
    args = parser.parse_args(argv)
    releases = (sorted(p for p in args.releases.iterdir() if p.is_dir())
                if args.releases and args.releases.is_dir() else [])
    index = publish(args.latest, releases, args.out)
    shown = ", ".join(r["version"] for r in index["releases"]) or "none"
    print(f"versions: latest {index['latest']} at the root; releases: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
