"""The built site offers every chapter and case for citing, and says its version.

On the clean build: each chapter and case page has its Highwire ``citation_*``
meta tags, which agree with CITATION.cff and the page; it links its citation
files, which the site serves with the text the page copies; every page's
footer names the version; ``version.json`` says it for the publishing step;
the "What changed" page says that this copy has no release yet.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from lbclbook import citation, toc
from lbclbook.toolchain import changes, citing
from lbclbook.toolchain.build import SITE


class Head(HTMLParser):
    """The meta tags of a page: (name, content) pairs in order."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs.get("content", "")))


def meta_tags(page: str) -> list[tuple[str, str]]:
    head = Head()
    head.feed(page[:page.index("</head>")])
    return [(name, value) for name, value in head.meta if name.startswith("citation_")]


def test_every_chapter_and_case_page_has_meta_tags_that_agree_with_citation_cff(clean_build):
    cff = citation.metadata(clean_build)
    pages = citation.citable_pages(clean_build)
    assert len([p for p in pages if p.startswith("chapters/")]) == 8
    for page in pages:
        tags = meta_tags((clean_build / SITE / f"{page}.html").read_text("utf-8"))
        found = dict(tags)
        assert found["citation_title"] == citation.page_title(clean_build, page), page
        assert [v for n, v in tags if n == "citation_author"] == citation.author_names(cff)
        assert found["citation_book_title"] == found["citation_inbook_title"] == cff["title"]
        assert found["citation_publication_date"] == cff["date-released"].replace("-", "/")
        assert found["citation_version"] == cff["version"]
        assert found["citation_public_url"] == citation.cited_url(cff, page)
        if page.startswith("chapters/"):
            slug = page.removeprefix("chapters/")
            assert found["citation_pdf_url"] == citation.version_url(cff) + f"pdf/{slug}.pdf"
        else:
            assert "citation_pdf_url" not in found
    # Other pages are not offered as citable works.
    assert meta_tags((clean_build / SITE / "glossary.html").read_text("utf-8")) == []


def test_each_citable_page_links_its_citation_files_and_copies_their_text(clean_build):
    site = clean_build / SITE
    for page in citation.citable_pages(clean_build):
        source = (site / f"{page}.html").read_text("utf-8")
        files = citation.citation_files(page, clean_build)
        for suffix, text in files.items():
            href = f"../{citation.citation_file_path(page, suffix)}"
            assert f'href="{href}"' in source, (page, suffix)
            served = (site / f"{page}.html").parent.joinpath(href).resolve()
            assert served.read_bytes().decode("utf-8") == text  # CR LF kept for RIS
        copied = [html.unescape(t) for t in re.findall(r'data-copy-text="([^"]*)"', source)]
        assert copied == [citation.work(page, clean_build).text, files["bib"]]
        assert citing.SCRIPT in source and citing.STYLE in source
        # The how-to-cite text says how current the evidence is.
        assert html.escape(citation.evidence_date(page, clean_build).text(),
                           quote=False).replace("'", "’") in source.replace("&#8217;", "’")


def test_every_page_says_its_version_and_links_what_changed(clean_build):
    cff = citation.metadata(clean_build)
    edition = citation.edition(cff)
    site = clean_build / SITE
    pages = [site / f"{page}.html" for page in toc.pages_in_toc(clean_build)]
    for path in pages:
        footer = re.search(r'<p class="lbcl-edition">(.*?)</p>', path.read_text("utf-8"))
        assert footer and footer.group(1).startswith(f"{edition}."), path
        link = re.search(r'href="([^"]+)">What changed', footer.group(1)).group(1)
        target = path if link == "#" else path.parent / link  # "#": the page itself
        assert target.resolve() == (site / f"{changes.PAGE}.html").resolve(), path
    assert (site / citing.VERSION_FILE).read_text("utf-8").count(f'"{cff["version"]}"') == 1


def test_the_what_changed_page_says_there_is_no_release_yet(clean_build):
    page = (clean_build / SITE / f"{changes.PAGE}.html").read_text("utf-8")
    # The test's copy of the book is not a git repository; a clone without tags
    # says that no version is released yet.
    assert (html.escape(changes.NO_HISTORY, quote=False).replace("'", "’") in
            page.replace("&#8217;", "’")) or "No version of the book has been released" in page
