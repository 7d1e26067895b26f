"""The site is ready to publish: found, shared, searchable offline, with a 404
page, every address taken from CITATION.cff, and a workflow that deploys it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

from lbclbook import citation, toc
from lbclbook.data import load
from lbclbook.toolchain.build import SITE

from conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
CONTENT_PAGES = ["intro.html", "chapters/failure-after-car-t.html"]


def meta(page: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"', page)
    return found.group(1) if found else None


def test_sitemap_lists_every_content_page_at_the_books_address(clean_build):
    base = citation.site_url(citation.metadata(clean_build))
    tree = ET.parse(clean_build / SITE / "sitemap.xml")
    listed = {loc.text for loc in tree.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    pages = [f"{page}.html" for page in toc.pages_in_toc()]
    expected = {base + page for page in pages}  # not search, index, 404, _static
    assert listed == expected
    assert base + CONTENT_PAGES[1] in listed


def test_pages_have_a_title_a_description_and_open_graph_tags(clean_build):
    base = citation.site_url(citation.metadata(clean_build))
    book = citation.metadata(clean_build)["title"]
    for name in CONTENT_PAGES:
        page = (clean_build / SITE / name).read_text("utf-8")
        assert re.search(r"<title>[^<]{10,}</title>", page), name
        assert len(meta(page, "description") or "") >= 50, name
        assert meta(page, "og:title"), name
        assert meta(page, "og:url") == base + name
        assert meta(page, "og:site_name") == book
        assert f'<link rel="canonical" href="{base}{name}"' in page


def test_404_page_links_from_the_sites_root(clean_build):
    prefix = re.sub(r"^https://[^/]+", "", citation.site_url(citation.metadata(clean_build)))
    page = (clean_build / SITE / "404.html").read_text("utf-8")
    assert "Page not found" in page
    local = [ref for ref in re.findall(r'(?:src|href)="([^"#][^"]*)"', page)
             if not ref.startswith(("https://", "data:"))]  # data: holds a script, no file
    assert local and all(ref.startswith(prefix) for ref in local)
    for ref in local:  # every file it loads exists in the site
        path = (clean_build / SITE / ref.removeprefix(prefix).split("?")[0])
        assert path.exists(), ref


def test_search_works_offline_from_the_sites_own_index(clean_build):
    site = clean_build / SITE
    assert "searchindex.js" in (site / "search.html").read_text("utf-8")
    index = (site / "searchindex.js").read_text("utf-8")
    assert "Failure after CD19 CAR-T cells" in index  # the chapter's title
    assert "cytopenia" in index  # and a word of its text


def test_pages_workflow_builds_with_the_projects_commands_and_deploys():
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = "\n".join(step.get("run", "") for step in steps)
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "make pdf" in runs
    for action in ["actions/checkout", "actions/configure-pages", "actions/cache",
                   "actions/upload-pages-artifact", "actions/deploy-pages"]:
        assert action in uses, action
    cache = next(step for step in steps if step.get("uses", "").startswith("actions/cache"))
    assert cache["with"]["path"] == "_build/.work/_build/.jupyter_cache"
    for keyed_on in ["data/", "chapters/", "lbclbook/", "requirements.txt", "constraints.txt"]:
        assert keyed_on in cache["with"]["key"], keyed_on
    upload = next(step for step in steps if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == PUBLISHED


# What the Pages workflow uploads: the latest site and the releases beside it.
PUBLISHED = "_build/pages"


def test_pages_workflow_keeps_every_release_and_publishes_them_beside_the_latest():
    workflow = yaml.safe_load(WORKFLOW.read_text("utf-8"))
    jobs = workflow["jobs"]
    assert "v*.*.*" in workflow[True]["push"]["tags"]  # a release tag publishes too
    build = jobs["build"]["steps"]
    checkout = next(s for s in build if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0  # every tag, for the What changed page
    assert any("tar -czf site.tar.gz -C _build/html ." in s.get("run", "") for s in build)
    # Only the release job may write to the repository (its GitHub release).
    assert workflow["permissions"] == {"contents": "read"}
    assert jobs["release"]["permissions"] == {"contents": "write"}
    assert jobs["release"]["if"].startswith("startsWith(github.ref, 'refs/tags/v')")
    created = "\n".join(s.get("run", "") for s in jobs["release"]["steps"])
    assert 'gh release create "${GITHUB_REF_NAME}" "site-${GITHUB_REF_NAME}.tar.gz"' in created
    assembled = "\n".join(s.get("run", "") for s in jobs["assemble"]["steps"])
    assert '--pattern "site-${tag}.tar.gz"' in assembled  # the asset the release job made
    assert ("python -m lbclbook.toolchain.versions --latest _build/html "
            f"--releases _build/releases --out {PUBLISHED}") in assembled
    assert jobs["deploy"]["needs"] == "assemble"
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_pull_requests_get_the_fast_checks_and_the_strict_build():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "check.yml").read_text("utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = [step.get("run", "").strip() for step in steps]
    assert runs.index("make setup") < runs.index("make check") < runs.index("make book")
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/checkout" in uses and "actions/setup-python" in uses
    setup_python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup_python["with"]["cache-dependency-path"] == "constraints.txt"
    makefile = (ROOT / "Makefile").read_text("utf-8")
    # make setup is what installs: the system packages and the locked requirements
    assert "scripts/install-system-deps.sh" in makefile
    assert "-r requirements.txt -c constraints.txt" in makefile
    assert re.search(r'^check: setup\n\t\$\(PY\) -m pytest -m "not build and not slow"$',
                     makefile, re.MULTILINE)


def test_the_landing_page_names_a_start_for_each_reader_and_shows_its_edition(clean_build):
    """A first page for three readers (learners, teachers, citing authors),
    each with the page to open first, and what the book is: its version and
    data date (CITATION.cff) and how current its evidence is (the latest
    source's year, studies.csv, and the search date, source_checks.csv)."""
    page = (clean_build / SITE / "intro.html").read_text("utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert citation.edition(citation.metadata(clean_build)) in text
    sources = load("studies", clean_build).query("study != 'seed_deck'")
    assert f"Evidence current through {int(sources.year.max())} " in text
    # Sphinx sets apostrophes typographically.
    assert citation.book_evidence_date(clean_build).text().replace("'", "\u2019") in text
    start = page[page.index('id="start-here"'):page.index('id="how-to-use-it"')]
    cards = re.findall(r'<div class="sd-card-title[^>]*>\s*(\w+)', start)
    assert cards == ["Learning", "Teaching", "Citing"]
    footers = re.findall(r'sd-card-footer.*?href="([^"#]+)"', start, re.S)
    assert footers == ["chapters/failure-after-car-t.html", "teachers.html",
                       "appendix/data-and-methods.html"]
    assert all((clean_build / SITE / href).is_file() for href in footers)
    assert "How to read the figures and tables" in text
