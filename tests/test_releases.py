"""Releases: the release script, the versioned site, and "What changed".

Each test works in a throw-away git repository made from a copy of the book
(``repo``), tags versions there with the real release script, and checks what
a reader will see: every release readable under ``/vX.Y.Z/`` with a banner
pointing to the current version, and a "What changed" page computed from the
data at each tag. The publishing step takes sites that are already built, so
small fake sites stand in for full builds (each says its version in
``version.json``, written by the same function as in a real build).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lbclbook import citation, toc
from lbclbook.toolchain import changes, citing, release, versions

from conftest import ROOT

GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
# A row of responses.csv and the edit of its events (7 of 18 -> 8 of 18).
RESPONSE_ROW = "schuster2019,prior CAR-T: all histologies,ORR,7,18,38.9,"
EDITED_ROW = "schuster2019,prior CAR-T: all histologies,ORR,8,18,44.4,"
NEW_STUDY = ("newstudy2026,Newstudy 2026,,2026,later evidence,phase 2 trial,2,40,"
             "after CAR-T failure,after CAR-T failure,false,bispecific-antibodies,,Table 2,\n")


def git(repo: Path, *args: str, **env: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**GIT_ENV, **env}).stdout


def release_script(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "scripts/release.py", *args], cwd=repo,
                          capture_output=True, text=True, env=GIT_ENV)


@pytest.fixture
def repo(book_copy: Path) -> Path:
    """A git repository holding a copy of the book, one commit, no tag."""
    git(book_copy, "init", "--quiet", "--initial-branch=main")
    git(book_copy, "add", "--all")
    git(book_copy, "commit", "--quiet", "-m", "The book")
    return book_copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), "utf-8")


def edit_the_data(repo: Path) -> None:
    """Version 0.2.0's data: one count changed and one study added."""
    edit(repo / "data" / "responses.csv", RESPONSE_ROW, EDITED_ROW)
    with (repo / "data" / "studies.csv").open("a", encoding="utf-8") as studies:
        studies.write(NEW_STUDY)
    git(repo, "commit", "--quiet", "--all", "-m", "New data")


# --------------------------------------------------------------------------
# The release script


def test_a_release_writes_the_version_and_date_once_commits_and_tags(repo):
    result = release_script(repo, "0.2.0", "--date", "2026-12-01")
    assert result.returncode == 0, result.stderr
    cff = citation.metadata(repo)
    assert (cff["version"], cff["date-released"]) == ("0.2.0", "2026-12-01")
    assert "# How to cite the book." in (repo / "CITATION.cff").read_text()  # comments kept
    assert (repo / ".zenodo.json").read_text() == release.zenodo_text(cff)
    assert git(repo, "tag", "--list").split() == ["v0.2.0"]
    assert git(repo, "cat-file", "-t", "v0.2.0").strip() == "tag"  # annotated
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "show", "--name-only", "--format=%s", "HEAD").split("\n")[2:4] == [
        ".zenodo.json", "CITATION.cff"]
    assert "git push origin HEAD v0.2.0" in result.stdout


@pytest.mark.slow
def test_the_data_date_defaults_to_the_last_change_of_the_data(repo):
    edit(repo / "data" / "responses.csv", RESPONSE_ROW, EDITED_ROW)
    git(repo, "commit", "--quiet", "--all", "-m", "New data",
        GIT_COMMITTER_DATE="2027-03-04T12:00:00")
    assert release_script(repo, "0.2.0").returncode == 0
    assert citation.data_date(citation.metadata(repo)) == datetime.date(2027, 3, 4)


# `make check` tries one refusal; `make test` all of them.
@pytest.mark.parametrize("version, dirty, message", [
    pytest.param("0.2", False, "write it as X.Y.Z", marks=pytest.mark.slow),
    pytest.param("0.3.0", True, "uncommitted changes", marks=pytest.mark.slow),
    ("0.1.9", False, "not newer than the latest release, 0.2.0"),
    pytest.param("0.2.0", False, "v0.2.0 is already released", marks=pytest.mark.slow),
])
def test_a_release_that_cannot_be_made_changes_nothing(repo, version, dirty, message):
    assert release_script(repo, "0.2.0", "--date", "2026-12-01").returncode == 0
    if dirty:
        (repo / "notes.txt").write_text("work in progress")
    before = ((repo / "CITATION.cff").read_text(), git(repo, "tag", "--list"),
              git(repo, "rev-parse", "HEAD"))
    result = release_script(repo, version, "--date", "2027-01-01")
    assert result.returncode == 1 and message in result.stderr
    assert before == ((repo / "CITATION.cff").read_text(), git(repo, "tag", "--list"),
                      git(repo, "rev-parse", "HEAD"))


# --------------------------------------------------------------------------
# The published site: latest at the root, each release under /vX.Y.Z/


def cff_at(repo: Path, revision: str, folder: Path) -> dict:
    folder.mkdir(parents=True)
    (folder / "CITATION.cff").write_text(git(repo, "show", f"{revision}:CITATION.cff"))
    return citation.metadata(folder)


def fake_site(folder: Path, cff: dict, pages: list[str]) -> Path:
    """A built site in miniature: a few pages and its version.json."""
    for page in pages:
        path = folder / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<!DOCTYPE html><html><head><title>{page}</title></head><body>"
                        f"<nav>menu</nav><main id=\"main-content\"><h1>{page}</h1>"
                        f"<p>{citation.edition(cff)}</p></main></body></html>")
    citing.write_version_file(folder, cff)
    return folder


def publish(repo: Path, latest: Path, releases: Path, out: Path) -> subprocess.CompletedProcess:
    """The workflow's publishing step, run from the repository as CI runs it."""
    return subprocess.run([sys.executable, "-m", "lbclbook.toolchain.versions", "--latest",
                           str(latest), "--releases", str(releases), "--out", str(out)],
                          cwd=repo, capture_output=True, text=True)


def banner_of(page: Path) -> tuple[str, str] | None:
    """The banner's text and link target, or None."""
    found = re.search(r'<div class="lbcl-version-banner"[^>]*>(.*?)</div>', page.read_text())
    if not found:
        return None
    return re.sub(r"<[^>]+>", "", found.group(1)), re.search(r'href="([^"]+)"',
                                                            found.group(1)).group(1)


def test_every_release_stays_readable_under_its_version(repo, tmp_path):
    assert release_script(repo, "0.1.0", "--date", "2026-11-23").returncode == 0
    edit_the_data(repo)
    assert release_script(repo, "0.2.0", "--date", "2026-12-01").returncode == 0
    pages = ["index.html", "chapters/radiotherapy.html"]
    for tag, extra in [("v0.1.0", ["chapters/retired.html"]), ("v0.2.0", [])]:
        fake_site(tmp_path / "releases" / tag, cff_at(repo, tag, tmp_path / "cff" / tag),
                  pages + extra)
    latest = fake_site(tmp_path / "latest", cff_at(repo, "HEAD", tmp_path / "cff" / "HEAD"),
                       pages)
    out = tmp_path / "pages"
    result = publish(repo, latest, tmp_path / "releases", out)
    assert result.returncode == 0, result.stderr
    assert "latest 0.2.0 at the root; releases: 0.1.0, 0.2.0" in result.stdout

    # The layout: the latest at the root, untouched; each release in its folder.
    assert (out / "chapters" / "radiotherapy.html").read_bytes() == (
        latest / "chapters" / "radiotherapy.html").read_bytes()
    for tag in ("v0.1.0", "v0.2.0"):
        assert json.loads((out / tag / "version.json").read_text())["version"] == tag[1:]
    assert json.loads((out / "versions.json").read_text()) == {
        "latest": "0.2.0", "releases": [
            {"version": "0.1.0", "path": "v0.1.0/",
             "edition": "Version 0.1.0, data of 23 November 2026"},
            {"version": "0.2.0", "path": "v0.2.0/",
             "edition": "Version 0.2.0, data of 1 December 2026"}]}

    # An older version: a banner that leads to the same page in the current one.
    old = out / "v0.1.0" / "chapters" / "radiotherapy.html"
    text, href = banner_of(old)
    assert "older version" in text and "Version 0.1.0, data of 23 November 2026" in text
    assert "The current version is 0.2.0" in text
    assert (old.parent / href).resolve() == (out / "chapters" / "radiotherapy.html").resolve()
    assert old.read_text().index("lbcl-version-banner") > old.read_text().index("<main")
    # A page the current version no longer has leads to its front page.
    retired = out / "v0.1.0" / "chapters" / "retired.html"
    assert (retired.parent / banner_of(retired)[1]).resolve() == (out / "index.html").resolve()
    # The current version's permanent copy says it is the current one.
    assert "the current version" in banner_of(out / "v0.2.0" / "index.html")[0]
    assert banner_of(out / "chapters" / "radiotherapy.html") is None
    assert banner_of(out / "index.html") is None

    # Publishing again gives the same site (no second banner).
    again = tmp_path / "again"
    assert publish(repo, latest, tmp_path / "releases", again).returncode == 0
    assert {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()} == {
        p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def test_without_releases_the_latest_site_is_published_alone(tmp_path):
    cff = citation.metadata(ROOT)
    latest = fake_site(tmp_path / "latest", cff, ["index.html"])
    index = versions.publish(latest, [], tmp_path / "pages")
    assert index == {"latest": cff["version"], "releases": []}
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == [
        "index.html", "version.json", "versions.json"]


# --------------------------------------------------------------------------
# What changed, from the data at each tag


def test_what_changed_says_so_when_there_is_no_history_or_no_release(book_copy, repo):
    assert changes.page_markdown(book_copy) in (changes.NO_HISTORY, changes.NO_RELEASE)
    assert changes.page_markdown(repo) == changes.NO_RELEASE


def test_no_history_outside_git(tmp_path):
    # A copy of the book outside any git repository.
    from conftest import copy_book
    book = copy_book(tmp_path / "book")
    if subprocess.run(["git", "rev-parse"], cwd=book, capture_output=True).returncode == 0:
        pytest.skip("the temporary folder is inside a git repository")
    assert changes.page_markdown(book) == changes.NO_HISTORY


def test_what_changed_lists_the_studies_and_every_number_with_its_pages(repo):
    assert release_script(repo, "0.1.0", "--date", "2026-11-23").returncode == 0
    edit_the_data(repo)
    assert release_script(repo, "0.2.0", "--date", "2026-12-01").returncode == 0

    text = changes.page_markdown(repo)
    newer, older = text.index("## Version 0.2.0"), text.index("## Version 0.1.0")
    assert newer < older  # newest first
    assert "Not yet released" not in text
    section = text[newer:older]
    assert "Compared with version 0.1.0." in section
    assert "Studies added: Newstudy 2026. Studies removed: none." in section
    pages = [page for page in toc.pages_in_toc(repo)
             if 'load("responses")' in (repo / f"{page}.md").read_text()]
    assert pages  # the table is shown somewhere
    shown = ", ".join(f"{{doc}}`/{page}`" for page in pages)
    for column, old, new in [("events", "7", "8"), ("reported\\_pct", "38\\.9", "44\\.4")]:
        row = (f"| responses | schuster2019 \\/ prior CAR\\-T\\: all histologies \\/ ORR | "
               f"{column} | {old} | {new} | {shown} |")
        assert row in section, section
    assert "- Rows added to studies: newstudy2026" in section
    assert "The first release: " in text[older:]
    assert "Every table is also shown in full in {doc}`/appendix/data-and-methods`." in text

    notes = changes.release_notes(repo, "v0.2.0")
    assert "studies added: Newstudy 2026" in notes and "2 number(s) changed" in notes

    # An edit after the last release is listed as not yet released.
    edit(repo / "data" / "responses.csv", EDITED_ROW, EDITED_ROW.replace(",8,18,44.4,",
                                                                         ",9,18,50.0,"))
    text = changes.page_markdown(repo)
    assert text.index("## Not yet released") < text.index("## Version 0.2.0")
    assert "| events | 8 | 9 |" in text.split("## Version 0.2.0")[0]


@pytest.mark.slow
def test_the_what_changed_page_renders_its_tables(repo, tmp_path):
    """The generated MyST parses: a Sphinx build of the page alone shows the table."""
    assert release_script(repo, "0.1.0", "--date", "2026-11-23").returncode == 0
    edit_the_data(repo)
    assert release_script(repo, "0.2.0", "--date", "2026-12-01").returncode == 0
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "conf.py").write_text(
        'extensions = ["myst_parser", "lbclbook.toolchain.changes"]\n'
        f'root_doc = "{changes.PAGE}"\n'
        f'include_patterns = ["{changes.PAGE}.md"]\n')
    result = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-b", "html", "-c", str(conf),
                             str(repo), str(tmp_path / "html")], cwd=repo,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "html" / f"{changes.PAGE}.html").read_text()
    table = page[page.index("<table"):page.index("</table>")]
    assert re.search(r"<td[^>]*><p>7</p></td>\s*<td[^>]*><p>8</p></td>", table), table
    assert "Newstudy 2026" in page and "Version 0.2.0" in page
