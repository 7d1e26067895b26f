"""Every chapter is a PDF of its own, reproducible, linked from its page,
typeset like a journal article: nothing wider than the text block, nothing in
the margins, every table with its header, the citation on the first page.

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
from docutils import nodes
from docutils.core import publish_doctree
from sphinx import addnodes

from lbclbook import citation, toc
from lbclbook.data import references
from lbclbook.toolchain import pdf as pdfbuild
from lbclbook.toolchain import pdfext, tablelayout
from lbclbook.toolchain.build import FAILED, SITE
from lbclbook.toolchain.pdf import PDFS

from conftest import REPRODUCED_PDF, ROOT, run_pdf_build

CHAPTERS = list(toc.chapter_numbers(ROOT))
CAPTION_NUMBER = re.compile(r"\b(Fig\.|Table) (\d+\.\d+)")
CITED = re.compile(r"\{cite:[a-z]+\}`([^`]+)`")


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """Each page's text in the order it was typeset (a table cell's lines together)."""
    return subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout.split("\f")[:-1]


WORD_BOX = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"([^<]*)</word>")
PAGE_BOX = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


def word_boxes(pdf: Path) -> list[tuple[float, float, list[tuple]]]:
    """Each page's width and height, and its words as (x0, y0, x1, y1, text),
    in PostScript points from the top left corner."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    pages = []
    for chunk in xhtml.split("<page ")[1:]:
        width, height = map(float, PAGE_BOX.match("<page " + chunk).groups())
        words = [(*map(float, box[:4]), html.unescape(box[4])) for box in WORD_BOX.findall(chunk)]
        pages.append((width, height, words))
    return pages


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


@pytest.mark.parametrize("slug", CHAPTERS)
def test_the_first_page_says_how_to_cite_the_chapter(pdf_build, slug):
    # The same text as the how-to-cite section at the end (citation.py makes
    # both), in a box under the title block: the reader who prints page 1 has it.
    root, _ = pdf_build
    first = flat(pdf_pages(root / PDFS / f"{slug}.pdf")[0])
    cited = flat(citation.chapter_citation(citation.chapter_title(root, slug), root))
    assert flat("Cite as:") + cited in first


@pytest.mark.parametrize("slug", CHAPTERS)
def test_pdf_properties_name_the_chapter_its_authors_the_book_and_keywords(pdf_build, slug):
    root, _ = pdf_build
    info = {name: value.strip() for name, value in pdf_info(root / PDFS / f"{slug}.pdf").items()}
    cff = citation.metadata(root)
    title = citation.chapter_title(root, slug)
    assert info["Title"] == title
    assert info["Author"] == citation.authors(cff)
    assert info["Subject"] == f"{cff['title']}. {citation.edition(cff)}"
    assert [k.strip() for k in info["Keywords"].split(",")] == [*cff["keywords"], title]


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


# --------------------------------------------------------------------------
# Layout: nothing wider than the text block, nothing in the margins, every
# table with its header


TOO_WIDE = 3.0  # pt: what a reader could see stick out of the text block
# XeLaTeX's reports of a line wider than the text (hbox), of a page fuller than
# the page (vbox: a table ran off its foot), of a figure taller than a page.
OVERFULL = re.compile(r"Overfull \\[hv]box \((?P<pt>[\d.]+)pt too (?:wide|high)\)[^\n]*"
                      r"|Float too large for page by (?P<float>[\d.]+)pt[^\n]*")


def overfull(log: str) -> list[str]:
    """Every report in ``log`` of something too large by more than ``TOO_WIDE``."""
    return [match.group(0) for match in OVERFULL.finditer(log)
            if float(match.group("pt") or match.group("float")) > TOO_WIDE]


def test_overfull_lines_are_read_from_the_log():
    log = ("Overfull \\hbox (19.77295pt too wide) in paragraph at lines 380--380\n"
           "Overfull \\hbox (1.002pt too wide) in paragraph at lines 470--470\n"
           "Overfull \\vbox (1822.76112pt too high) has occurred while \\output is active []\n"
           "LaTeX Warning: Float too large for page by 44.55pt on input line 1255.\n")
    assert [re.search(r"[\d.]+pt", line).group() for line in overfull(log)] == [
        "19.77295pt", "1822.76112pt", "44.55pt"]


@pytest.mark.parametrize("slug", CHAPTERS)
def test_no_line_or_page_of_the_pdf_is_overfull(pdf_build, slug):
    root, _ = pdf_build
    log = pdfbuild.latex_log(root, slug).read_text("utf-8", errors="replace")
    assert "Output written on" in log  # the log of a finished run
    assert not overfull(log)


def outside_the_text_block(pages, margin: float, tolerance: float = TOO_WIDE) -> list:
    """Words set where only the running header and the page number may be:
    in a side margin, or on more than one line above or below the text block
    (a table that ran on past the foot of the page), or across its edge."""
    found = []
    for number, (width, height, words) in enumerate(pages, start=1):
        left, right, top, bottom = margin, width - margin, margin, height - margin
        found += [(number, text) for x0, _, x1, _, text in words
                  if x0 < left - tolerance or x1 > right + tolerance]
        above = {round(y1) for _, _, _, y1, _ in words if y1 < top + tolerance}
        below = {round(y1) for _, y0, _, y1, _ in words if y0 > bottom - tolerance}
        across = [text for _, y0, _, y1, text in words
                  if y0 < bottom - tolerance and y1 > bottom + tolerance]
        if len(above) > 1 or len(below) > 1 or across:
            found.append((number, "lines above", len(above), "below", len(below), across[:5]))
    return found


def test_words_outside_the_text_block_are_found():
    a4 = (595.0, 842.0)
    body = (100.0, 400.0, 150.0, 410.0, "text")
    header, footer = (80.0, 50.0, 500.0, 60.0, "Title"), (500.0, 790.0, 510.0, 800.0, "3")
    assert not outside_the_text_block([(*a4, [header, body, footer])], 70.0)
    into_margin = (480.0, 400.0, 560.0, 410.0, "(ZUMA-1)")
    past_the_foot = (100.0, 775.0, 150.0, 785.0, "relapse")
    assert outside_the_text_block([(*a4, [header, into_margin, footer])], 70.0) == [
        (1, "(ZUMA-1)")]
    assert outside_the_text_block([(*a4, [header, past_the_foot, footer])], 70.0)


@pytest.mark.parametrize("slug", CHAPTERS)
def test_no_word_is_set_in_the_margins(pdf_build, slug):
    root, _ = pdf_build
    margin = pdfbuild.MARGIN_MM * 72 / 25.4  # PostScript points, as pdftotext gives them
    assert not outside_the_text_block(word_boxes(root / PDFS / f"{slug}.pdf"), margin)


TABLE_ON_PAGE = re.compile(r"^Table (\d+\.\d+)(?:\. | \u2013 continued)", re.MULTILINE)


def table_headers(page_html: str) -> dict[str, str]:
    """{"8.1": "Modality Study Design ..."}: each table's number and header row."""
    headers = {}
    for table in re.findall(r"<table\b.*?</table>", page_html, re.S):
        number = CAPTION_NUMBER.search(page_text(table))
        head = re.search(r"<thead>(.*?)</thead>", table, re.S)
        if number and head:
            cells = re.findall(r"<th\b[^>]*>(.*?)</th>", head.group(1), re.S)
            headers[number.group(2)] = " ".join(page_text(cell).strip() for cell in cells)
    return headers


@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_table_has_its_header_on_every_page_it_is_on(pdf_build, slug):
    # A table that breaks across pages repeats its header, with "Table 8.1 –
    # continued from previous page" above it; a short one keeps it with its caption.
    root, _ = pdf_build
    headers = table_headers(chapter_page(root, slug))
    pages = pdf_pages(root / PDFS / f"{slug}.pdf")
    seen = {number: [page for page, text in enumerate(pages, start=1)
                     if number in TABLE_ON_PAGE.findall(text)] for number in headers}
    assert all(seen.values()), seen  # every table of the page is in the PDF
    missing = [(number, page) for number, on in seen.items() for page in on
               if flat(headers[number]) not in flat(pages[page - 1])]
    assert not missing


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


# --------------------------------------------------------------------------
# Table layout (no build needed): widths from the cells, small type, page breaks

LINE = 455.0  # pt: the text block's width
SENTENCE = "the patients who progressed after CAR-T, counted from the day of progression"


def size_pt(name: str) -> float:
    return {size: pt for size, pt, _ in tablelayout.SIZES}[name]


def column_room(share: float) -> float:
    return share * LINE - 2 * tablelayout.TABCOLSEP


def test_columns_share_the_room_by_what_they_lack():
    assert tablelayout.share_room([10, 20], [30, 40], 100) == [30, 40]  # it fits as it is
    assert tablelayout.share_room([10, 20], [110, 20], 50) == [30, 20]  # the long one wraps


def test_a_table_fits_the_line_with_every_word_whole_in_its_column():
    columns = [tablelayout.Column("Series", ("Chow 2019", "Di Blasi 2022", "Zurko 2023b")),
               tablelayout.Column("n", ("61", "238", "514"), right=True),
               tablelayout.Column("What the median measures", (SENTENCE,) * 3)]
    chosen = tablelayout.layout(columns, LINE)
    assert chosen.size == "small" and sum(chosen.widths) <= 1
    for column, share in zip(columns, chosen.widths):
        longest = max(tablelayout.text_width(word, size_pt(chosen.size))
                      for cell in column.cells for word in tablelayout.words(cell))
        assert longest <= column_room(share)
    # The short columns stay on one line; the sentence wraps.
    assert tablelayout.lines_needed("Di Blasi 2022", column_room(chosen.widths[0]),
                                    size_pt(chosen.size)) == 1
    assert chosen.lines == 1 + 3 * tablelayout.lines_needed(
        SENTENCE, column_room(chosen.widths[2]), size_pt(chosen.size))


def test_a_table_whose_words_do_not_fit_in_small_type_is_set_smaller():
    wide = [tablelayout.Column(f"Column {i}", ("Roche/Genentech/Fresenius",)) for i in range(4)]
    chosen = tablelayout.layout(wide, LINE)
    assert chosen.size != "small"
    assert sum(chosen.widths) <= 1


def test_numbers_are_set_flush_right_and_text_ragged_right():
    columns = [tablelayout.Column("Study", ("Chow 2019",)),
               tablelayout.Column("n", ("61",), right=True)]
    spec = tablelayout.colspec(columns, tablelayout.layout(columns, LINE))
    assert re.fullmatch(r">\{\\raggedright\\arraybackslash\}\\Y\{0\.\d{4}\}"
                        r">\{\\raggedleft\\arraybackslash\}\\Y\{0\.\d{4}\}", spec)


def rst_table(rows: int) -> nodes.table:
    rule = "=========  ===="
    lines = [rule, f"{'Study':9}  {'n':>4}", rule,
             *(f"{f'Chow {2000 + i}':9}  {i:>4}" for i in range(rows)), rule]
    tree = publish_doctree("before\n\n" + "\n".join(lines) + "\n\nafter\n")
    return next(tree.findall(nodes.table))


def test_a_tall_table_breaks_across_pages_and_a_short_one_stays_whole():
    for rows, long in [(3, False), (60, True)]:
        table = rst_table(rows)
        pdfext._lay_out(table, pdfext._columns(table), LINE, 700.0)
        siblings = table.parent.children
        spec = siblings[siblings.index(table) - 1]
        assert isinstance(spec, addnodes.tabular_col_spec) and r"\Y{" in spec["spec"]
        assert ("longtable" in table["classes"]) is long
        start, end = siblings[siblings.index(table) - 2], siblings[siblings.index(table) + 1]
        assert start.astext().startswith(r"\begingroup\small") and "endgroup" in end.astext()
        assert ("minipage" in start.astext()) is not long  # a short table is one box
