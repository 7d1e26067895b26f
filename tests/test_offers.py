"""No dead links from any command: a page offers a file only if the site has it.

``make book`` publishes the pages; ``make pdf`` adds the chapter PDFs. Each
command's site must link only to files it holds (``lbclbook.toolchain.offers``).
"""

from __future__ import annotations

import shutil

from lbclbook import citation, toc
from lbclbook.toolchain.build import SITE
from lbclbook.toolchain.offers import offer, withdraw_missing

from conftest import ROOT, copy_built_book, run_build

CHAPTERS = list(toc.chapter_numbers(ROOT))
MARK = "<!--offer:"


def test_an_offer_stays_only_while_its_file_is_in_the_site(tmp_path):
    (tmp_path / "pdf").mkdir()
    (tmp_path / "pdf" / "here.pdf").write_bytes(b"%PDF")
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "a.html"
    page.write_text('<p>Before. <!--offer:pdf/here.pdf--><a href="../pdf/here.pdf">Here</a>, '
                    'to print.<!--/offer--> Middle. <!--offer:pdf/gone.pdf--><a href="../pdf/'
                    'gone.pdf">Gone</a>\n(gone.pdf).<!--/offer--> After.</p>')
    assert withdraw_missing(tmp_path) == ["pdf/gone.pdf"]
    assert page.read_text() == ('<p>Before. <a href="../pdf/here.pdf">Here</a>, to print. '
                                'Middle.  After.</p>')


def test_an_offer_that_is_a_whole_paragraph_goes_with_it(tmp_path):
    page = tmp_path / "a.html"
    page.write_text('<div><p><!--offer:b.pdf--><a href="b.pdf">B</a><!--/offer--></p></div>'
                    '<p><!--offer:a.html--><a href="a.html">A</a><!--/offer--></p>')
    withdraw_missing(tmp_path)
    assert page.read_text() == '<div></div><p><a href="a.html">A</a></p>'


def test_an_offer_is_marked_for_html_only():
    start, *content, end = offer("pdf/x.pdf", [])
    assert content == [] and {start["format"], end["format"]} == {"html"}


def test_make_book_alone_links_no_chapter_pdf(clean_build):
    for slug in CHAPTERS:
        page = (clean_build / SITE / "chapters" / f"{slug}.html").read_text("utf-8")
        assert "chapter-pdf" not in page and MARK not in page, slug
        assert "Download this chapter as a PDF" not in page, slug


def test_make_pdf_links_every_chapter_pdf_and_leaves_no_marks(pdf_build):
    root, _ = pdf_build
    for slug in CHAPTERS:
        page = (root / SITE / "chapters" / f"{slug}.html").read_text("utf-8")
        assert f'href="../{citation.pdf_path(slug)}"' in page and MARK not in page, slug


def test_make_book_after_make_pdf_has_nothing_to_do_and_keeps_the_pdfs(pdf_build, tmp_path):
    root = copy_built_book(pdf_build[0], tmp_path / "book")
    result = run_build(root)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "nothing changed" in result.stdout
    offered = sorted(p.stem for p in (root / SITE / citation.PDF_FOLDER).glob("*.pdf"))
    assert offered == sorted(CHAPTERS)
    shutil.rmtree(root)
