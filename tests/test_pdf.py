"""Every chapter is a PDF of its own, reproducible, linked from its page.

One PDF build (``make pdf`` on a copy of the clean build) is shared; the
reproducibility test makes a second one, from a second copy elsewhere.
"""

from __future__ import annotations

import datetime
import html
import re
import subprocess
from pathlib import Path

import pytest

from lbclbook import citation, toc
from lbclbook.toolchain.build import FAILED, SITE
from lbclbook.data import references
from lbclbook.toolchain.pdf import PDFS

from conftest import REPRODUCED_PDF, ROOT, run_pdf_build

CHAPTERS = list(toc.chapter_numbers(ROOT))
CAPTION_NUMBER = re.compile(r"\b(Fig\.|Table) (\d+\.\d+)")
CITED = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_info(pdf: Path) -> dict[str, str]:
    lines = subprocess.run(["pdfinfo", "-isodates", str(pdf)], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    return dict(line.split(":", 1) for line in lines if ":" in line)


def flat(text: str) -> str:
    """Text without line breaks, hyphens or typographic quotes: how to compare
    what LaTeX set (and may have hyphenated) with what the book wrote."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"[\s\-\u00ad\u2010\u2011]", "", text)


def letters(text: str) -> str:
    """Only letters and digits, lower case: for titles that BibTeX styles recase."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def chapter_page(root: Path, slug: str) -> str:
    return (root / SITE / "chapters" / f"{slug}.html").read_text("utf-8")


def page_text(page_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page_html))


def test_the_book_has_chapters_to_typeset():
    assert CHAPTERS, "no chapters/ entry in _toc.yml"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_each_chapter_pdf_is_built_and_published(pdf_build, slug):
    root, _ = pdf_build
    built = root / PDFS / f"{slug}.pdf"
    published = root / SITE / citation.pdf_path(slug)
    assert built.read_bytes()[:5] == b"%PDF-"
    assert published.read_bytes() == built.read_bytes()


@pytest.mark.parametrize("slug", CHAPTERS)
def test_pdf_opens_with_the_title_block_and_ends_with_how_to_cite(pdf_build, slug):
    root, _ = pdf_build
    text = flat(pdf_text(root / PDFS / f"{slug}.pdf"))
    cff = citation.metadata(root)
    title = citation.chapter_title(root, slug)
    number = toc.chapter_numbers(root)[slug]
    block = [cff["title"], *([f"Chapter {number}"] if number else []), title,
             citation.authors(cff), citation.edition(cff)]
    positions = [text.find(flat(part)) for part in block]
    assert -1 not in positions, dict(zip(block, positions))
    assert positions == sorted(positions)  # in this order, before anything else
    assert positions[-1] < 1000
    assert flat("How to cite this chapter") in text
    assert flat(citation.chapter_citation(title, root)) in text
    assert flat("Download this chapter") not in text  # the page's link, web only


# Where a page breaks: the footer (section mark, page number) and the next
# page's running header, which pdftotext puts inside any text the break cuts.
PAGE_BREAK = re.compile(r"\n[^\n]*\n\n\d+\n\n\f[^\n]*\n")


def test_page_breaks_are_cut_out_of_the_text():
    text = ("failure of CAR-T cell therapy for\n7.8. Data for this chapter\n\n5\n\n"
            "\fAllogeneic transplantation, Version 0.1.0\nlarge B-cell lymphoma")
    assert PAGE_BREAK.sub("\n", text) == "failure of CAR-T cell therapy for\nlarge B-cell lymphoma"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_pdf_lists_the_references_the_chapter_cites(pdf_build, slug):
    root, _ = pdf_build
    # A reference's title may run across a page break.
    text = letters(PAGE_BREAK.sub("\n", pdf_text(root / PDFS / f"{slug}.pdf")))
    source = (root / "chapters" / f"{slug}.md").read_text("utf-8")
    prefix = re.search(r":keyprefix: (\S+)", source)
    keys = {key.strip().removeprefix(prefix.group(1) if prefix else "")
            for cited in CITED.findall(source) for key in cited.split(",")}
    entries = references(root).entries
    assert keys
    missing = [key for key in keys if letters(entries[key].fields["title"]) not in text]
    assert not missing


@pytest.mark.parametrize("slug", CHAPTERS)
def test_pdf_has_every_figure_and_table_of_the_page_numbered_alike(pdf_build, slug):
    root, _ = pdf_build
    pdf = root / PDFS / f"{slug}.pdf"
    on_page = set(CAPTION_NUMBER.findall(page_text(chapter_page(root, slug))))
    in_pdf = set(CAPTION_NUMBER.findall(pdf_text(pdf)))
    assert on_page and on_page <= in_pdf
    figures = sum(kind == "Fig." for kind, _ in on_page)
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    assert len(images) >= figures


@pytest.mark.parametrize("slug", CHAPTERS)
def test_pdf_has_no_broken_reference_and_no_build_date(pdf_build, slug):
    root, _ = pdf_build
    pdf = root / PDFS / f"{slug}.pdf"
    assert "??" not in pdf_text(pdf)  # LaTeX's mark for an unresolved reference
    info = pdf_info(pdf)
    assert info["Title"].strip() == citation.chapter_title(root, slug)
    data_date = citation.data_date(citation.metadata(root))
    created = datetime.datetime.fromisoformat(info["CreationDate"].strip())
    assert created == datetime.datetime.combine(data_date, datetime.time(), datetime.UTC)


def test_pdf_build_reuses_the_execution_cache(pdf_build):
    _, output = pdf_build
    assert "Executing notebook" not in output


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_page_links_its_pdf_and_shows_the_same_citation(pdf_build, slug):
    root, _ = pdf_build
    page = chapter_page(root, slug)
    links = re.findall(r'<a class="chapter-pdf[^"]*" href="([^"]+)"', page)
    assert links == [f"../{citation.pdf_path(slug)}"]
    assert (root / SITE / "chapters" / links[0]).resolve().is_file()
    title = citation.chapter_title(root, slug)
    assert " ".join(citation.chapter_citation(title, root).split()) in " ".join(
        page_text(page).split())


def test_the_site_offers_exactly_the_chapter_pdfs(pdf_build):
    root, _ = pdf_build
    offered = sorted(p.stem for p in (root / SITE / citation.PDF_FOLDER).glob("*"))
    assert offered == sorted(CHAPTERS)


def test_two_builds_from_the_same_sources_give_the_same_pdfs(pdf_builds):
    # A second copy, in another folder, built later (after the first, in the
    # same background job: conftest.py): no path and no clock may reach the
    # PDFs. Identical bytes imply identical text; the text is compared first
    # for a readable failure.
    (first, _), (second, result) = pdf_builds
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(p.stem for p in (second / PDFS).glob("*.pdf")) == [REPRODUCED_PDF]
    one, two = first / PDFS / f"{REPRODUCED_PDF}.pdf", second / PDFS / f"{REPRODUCED_PDF}.pdf"
    assert pdf_text(one) == pdf_text(two)
    assert one.read_bytes() == two.read_bytes()



def test_pdf_build_refuses_to_publish_after_a_failed_book_build(book_copy):
    (book_copy / FAILED).parent.mkdir(parents=True)
    (book_copy / FAILED).touch()
    result = run_pdf_build(book_copy)
    assert result.returncode != 0
    assert "last book build failed" in result.stderr
    assert not (book_copy / SITE).exists()
