"""The teaching kit: a slide deck and a handout per chapter, made by ``make book``.

Without a build: a deck made from a small stand-in page and stand-in
questions is read back with python-pptx (its slides in order, alt text on
every picture, notes on every slide, nothing set smaller than 18 pt, the
answers only after the questions, the same bytes every time), and the
handout's HTML holds what it should and no answer.

With the clean build: every chapter's deck is read back against its page
(figure and table numbers, alt text, notes, the slide count), every handout
is one or two A4 pages with objectives, key points and citation, each page
links its own deck and handout, a second run of the kit makes nothing, and
one deck renders in LibreOffice Impress, one PDF page per slide.
"""

from __future__ import annotations

import datetime
import html as htmllib
import posixpath
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.util import Emu

from lbclbook import citation, questions, toc
from lbclbook.toolchain import decks, handouts, teaching
from lbclbook.toolchain.build import SITE, work_html
from lbclbook.toolchain.chapterpage import (ChapterPage, DataTable, Figure, Source, Table,
                                            Where)

from conftest import ROOT, copy_built_book

CHAPTERS = list(toc.chapter_numbers(ROOT))
RENDERED = "radiotherapy"   # the one deck the suite converts with LibreOffice


# --------------------------------------------------------------------------
# Stand-ins: a page and a question bank, as the real ones give them


@dataclass(frozen=True)
class StandInQuestion:
    """Shaped like ``lbclbook.questions.Question`` (the contract in the kit's notes)."""

    id: str
    chapter: str
    objective: int
    stem: str
    options: tuple[str, ...]
    correct: int
    feedback: tuple[str, ...]
    sources: tuple[str, ...]


def stand_in_questions(n: int = 3) -> list[StandInQuestion]:
    return [StandInQuestion(
        id=f"demo-{i:02d}", chapter="demo", objective=1,
        stem=f"Stem of question {i}: which option is right?",
        options=("first option", "second option", "third option", "fourth option"),
        correct=i % 4,
        feedback=tuple(f"FEEDBACK-{i}-{letter}" for letter in "abcd"),
        sources=("demo-smith2020",)) for i in range(1, n + 1)]


WHERE = Where("1.2 A section", (Source("Smith et al., 2020", "Smith J. A study. 2020."),))


def stand_in_page(figures: Path) -> ChapterPage:
    """Two figures (one wide, one tall), a small table, a long one and a wide one."""
    for stem, size in (("demo-wide", (1200, 500)), ("demo-tall", (800, 1400))):
        Image.new("RGB", size, "steelblue").save(figures / f"{stem}.png")
    long_rows = tuple((f"row {r}", str(r), f"{r}%") for r in range(1, 17))
    return ChapterPage(
        slug="demo", number="9", title="A demonstration chapter",
        objectives_lead="After this chapter you can:",
        objectives=("read a table;", "read a figure;", "answer a question."),
        key_points=tuple(f"Key point {k}: something the page says, with its source "
                         "[Smith et al., 2020]." for k in range(1, 5)),
        figures=(Figure("9.1", "demo-wide", "A wide figure. Its second sentence.",
                        "Bars of three groups: 10, 20 and 30 patients.", WHERE),
                 Figure("9.2", "demo-tall", "A tall figure; with a clause.",
                        "A dot chart of twenty rows, values 1 to 20.", WHERE)),
        tables=(Table("9.1", "A small table.", ("Group", "n", "%"),
                      (("a", "1", "10"), ("b", "2", "20")), (False, True, True), WHERE),
                Table("9.2", "A long table.", ("Row", "n", "%"), long_rows,
                      (False, True, True), WHERE),
                Table("9.3", "A wide table.", tuple(f"Column {c}" for c in range(7)),
                      (tuple("x" * 7),), (False,) * 7, WHERE)),
        data_tables=(DataTable("demo.csv", "Demonstration rows"),))


CITATION = decks.Citation(
    text="Authors. A demonstration chapter. In: The book. Version 9.9.9, data of 1 May 2026. "
         "https://example.org/v9.9.9/chapters/demo.html",
    edition="Version 9.9.9, data of 1 May 2026", version="9.9.9",
    released=datetime.date(2026, 5, 1), authors="Authors", book="The book")


@pytest.fixture
def demo_deck(tmp_path) -> tuple[ChapterPage, list, Path]:
    page = stand_in_page(tmp_path)
    questions = stand_in_questions()
    path = decks.make_deck(page, CITATION, tmp_path, questions, tmp_path / "demo.pptx")
    return page, questions, path


# --------------------------------------------------------------------------
# Reading a deck back


def slide_title(slide) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == "Title")


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


KINDS = [  # (kind, how its slides' titles start)
    ("objectives", re.compile(r"Learning objectives")),
    ("figure", re.compile(r"Figure (\d+\.\d+)\. ")),
    ("table", re.compile(r"Table (\d+\.\d+)\. ")),
    ("key points", re.compile(r"Key points")),
    ("question", re.compile(r"Question (\d+)$")),
    ("answer", re.compile(r"Answer to question (\d+): [A-E]$")),
]


def kinds(prs) -> list[tuple[str, str]]:
    """Each slide after the title slide as (kind, number), from its title;
    a slide of no known kind fails."""
    found = []
    for slide in list(prs.slides)[1:]:
        title = slide_title(slide)
        kind = next(((k, m.group(1) if m.groups() else "") for k, pattern in KINDS
                     if (m := pattern.match(title))), None)
        assert kind, f"slide of no known kind: {title!r}"
        found.append(kind)
    return found


def check_deck(prs, figures: list[str], tables: list[str], questions: int,
               alt: dict[str, str]) -> list[tuple[str, str]]:
    """What every deck must be, given the page's figure and table numbers, its
    number of questions and the alt text of each figure (by number)."""
    order = kinds(prs)
    names = [k for k, _ in order]
    # Sections in order, each present, and nothing but them after the title slide.
    sequence = [k for i, k in enumerate(names) if i == 0 or names[i - 1] != k]
    expected = ["objectives", "figure" if figures else None, "table" if tables else None,
                "key points", "question" if questions else None, "answer" if questions else None]
    assert sequence == [k for k in expected if k], sequence
    assert [n for k, n in order if k == "figure"] == figures  # one slide each, book numbers
    assert sorted(set(n for k, n in order if k == "table"), key=_numeric) == tables
    assert [n for k, n in order if k == "question"] == [str(q) for q in range(1, questions + 1)]
    assert [n for k, n in order if k == "answer"] == [str(q) for q in range(1, questions + 1)]
    assert len(prs.slides) == 1 + len(order)
    for slide in prs.slides:
        assert notes(slide).strip(), f"no speaker notes on {slide_title(slide)!r}"
        for shape in slide.shapes:
            if shape.shape_type == 13:  # a picture: its figure's alt text
                number = shape.name.removeprefix("Figure ")
                assert shape._element.nvPicPr.cNvPr.get("descr") == alt[number]
        for run in _runs(slide):
            if run is not None:
                assert run.font.size.pt >= decks.MIN_BODY_PT, slide_title(slide)
    ratio = prs.slide_width / prs.slide_height
    assert abs(ratio - 16 / 9) < 0.01
    return order


def _numeric(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def _runs(slide):
    """Every run of text on the slide but the footer's."""
    for shape in slide.shapes:
        if shape.name == "Footer":
            continue
        frames = [shape.text_frame] if shape.has_text_frame else []
        if shape.has_table:
            frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
        for frame in frames:
            for paragraph in frame.paragraphs:
                yield from paragraph.runs


# --------------------------------------------------------------------------
# Without a build


def test_a_deck_has_its_slides_in_order_with_notes_and_alt_text(demo_deck):
    page, questions, path = demo_deck
    prs = Presentation(str(path))
    order = check_deck(prs, ["9.1", "9.2"], ["9.1", "9.2", "9.3"], len(questions),
                       {f.number: f.alt for f in page.figures})
    # The long table is split over two slides, header on each; the wide one summarised.
    long = [s for s, (k, n) in zip(list(prs.slides)[1:], order) if (k, n) == ("table", "9.2")]
    assert len(long) == 2 and all("rows" in slide_title(s) for s in long)
    assert [sum(1 for _ in s.shapes[-1].table.rows) - 1 for s in long] == [8, 8]
    wide = next(s for s, (k, n) in zip(list(prs.slides)[1:], order) if (k, n) == ("table", "9.3"))
    assert not any(shape.has_table for shape in wide.shapes)
    assert "too large" in slide_text(wide)
    # The title slide: the chapter, its citation and version.
    title = slide_text(prs.slides[0])
    assert page.title in title and CITATION.text in title and "Version 9.9.9" in title
    # Notes say where the numbers come from.
    figure = next(s for s, (k, _) in zip(list(prs.slides)[1:], order) if k == "figure")
    assert "Smith J. A study. 2020." in notes(figure) and "data/demo.csv" in notes(figure)
    assert prs.core_properties.author == "Authors"


def test_the_answers_come_only_after_every_question(demo_deck):
    _, questions, path = demo_deck
    prs = Presentation(str(path))
    order = kinds(prs)
    slides = list(prs.slides)[1:]
    shown = {k: "\n".join(slide_text(s) for s, (kind, _) in zip(slides, order) if kind == k)
             for k in ("question", "answer")}
    for q in questions:
        assert q.stem in shown["question"]
        assert all(option in shown["question"] for option in q.options)
        assert "FEEDBACK" not in shown["question"]
        assert q.feedback[q.correct] in shown["answer"]
    answer = next(s for s, (kind, n) in zip(slides, order) if (kind, n) == ("answer", "2"))
    assert slide_title(answer).endswith("ABCDE"[questions[1].correct])


def test_a_long_list_continues_on_a_new_slide_and_nothing_overflows(tmp_path):
    page = replace(stand_in_page(tmp_path),
                   key_points=tuple(f"Key point {k}: " + "a long sentence of the page " * 6
                                    for k in range(12)))
    path = decks.make_deck(page, CITATION, tmp_path, [], tmp_path / "long.pptx")
    prs = Presentation(str(path))
    slides = [s for s in prs.slides if slide_title(s).startswith("Key points")]
    assert len(slides) > 1 and slide_title(slides[1]) == "Key points (continued)"
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.name != "Body":
                continue
            texts = [p.text for p in shape.text_frame.paragraphs]
            size = shape.text_frame.paragraphs[0].runs[0].font.size.pt
            needed = decks.paragraphs_height(texts, Emu(shape.width).inches, size)
            assert needed <= Emu(shape.height).inches + 1e-6, slide_title(slide)


def test_the_same_page_gives_the_same_deck(tmp_path, demo_deck):
    page, questions, first = demo_deck
    again = decks.make_deck(page, CITATION, first.parent, questions, tmp_path / "again.pptx")
    assert first.read_bytes() == again.read_bytes()


def test_a_table_is_split_evenly_or_summarised():
    rows = tuple((str(r), "text") for r in range(14))
    table = Table("1.1", "Caption.", ("n", "Text"), rows, (True, False), WHERE)
    widths, runs = decks.table_layout(table)
    assert [len(run) for run in runs] == [7, 7]           # not 8 and 6
    assert sum(widths) <= decks.BODY_W
    assert decks.table_layout(replace(table, rows=rows * 3)) is None   # 42 rows: 6 slides
    wide = replace(table, header=("h",) * 7, rows=(("x",) * 7,), right_aligned=(False,) * 7)
    assert decks.table_layout(wide) is None


def test_a_title_too_long_for_its_box_is_cut_at_a_clause():
    caption = ("Study 2020: " + ", ".join(f"clause number {i} of a long caption"
                                         for i in range(12)) + ". Second sentence.")
    title, size = decks.fit_title("Figure 1.1", decks.short_title(caption))
    assert title.startswith("Figure 1.1. Study 2020: clause number 0")
    assert "Second sentence" not in title and size >= decks.TITLE_MIN_PT
    assert decks.text_height(len(decks.wrap(title, decks.BODY_W, size, bold=True)),
                             size) <= decks.TITLE_H


def test_the_handout_has_objectives_figures_key_points_questions_and_no_answers(tmp_path):
    page = stand_in_page(tmp_path)
    questions = stand_in_questions()
    shown = {page.figures[0]: (150.0, 62.5)}
    document = handouts.handout_html(page, CITATION, tmp_path, questions, shown)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", document))
    for expected in [*page.objectives, *page.key_points, CITATION.text,
                     *(q.stem for q in questions), *questions[0].options]:
        assert expected in text
    assert "FEEDBACK" not in document
    assert document.count("<img") == 1 and 'alt="' in document or "alt='" in document
    assert "More figures on the chapter page: Figure 9.2" in text


def test_a_handout_that_asks_fewer_questions_than_the_bank_names_the_rest(tmp_path):
    page, questions = stand_in_page(tmp_path), stand_in_questions()
    document = handouts.handout_html(page, CITATION, tmp_path, questions[:1], {},
                                     in_bank=len(questions))
    rest = (f"Question 2 is on the chapter page." if len(questions) == 2 else
            f"Questions 2–{len(questions)} are on the chapter page.")
    assert rest in htmllib.unescape(document)
    assert questions[-1].stem not in document


# --------------------------------------------------------------------------
# With the clean build

FIGURE_ON_PAGE = re.compile(
    r'<figure[^>]*id="fig-[^"]*">.*?<img [^>]*?\balt="([^"]*)".*?'
    r'<span class="caption-number">Fig\. (\d+\.\d+)', re.S)
TABLE_ON_PAGE = re.compile(r'<span class="caption-number">Table (\d+\.\d+)')


def page_html(root: Path, slug: str) -> str:
    return (root / SITE / "chapters" / f"{slug}.html").read_text("utf-8")


def test_the_build_makes_a_deck_and_a_handout_for_every_chapter(clean_build):
    site = clean_build / SITE
    assert sorted(p.name for p in (site / teaching.DECK_FOLDER).iterdir()) == sorted(
        f"{slug}.pptx" for slug in CHAPTERS)
    assert sorted(p.name for p in (site / teaching.HANDOUT_FOLDER).iterdir()) == sorted(
        [f"{slug}.pdf" for slug in CHAPTERS] + [posixpath.basename(teaching.ANSWER_KEY_PDF)])


@pytest.mark.parametrize("slug", CHAPTERS)
def test_each_deck_matches_its_chapter_page(clean_build, slug):
    page = page_html(clean_build, slug)
    figures = [(number, htmllib.unescape(alt)) for alt, number in FIGURE_ON_PAGE.findall(page)]
    tables = TABLE_ON_PAGE.findall(page)
    prs = Presentation(str(clean_build / SITE / teaching.deck_path(slug)))
    questions = teaching.chapter_questions(slug, clean_build)
    check_deck(prs, [n for n, _ in figures], tables, len(questions),
               {n: " ".join(alt.split()) for n, alt in figures})
    title = slide_text(prs.slides[0])
    cff = citation.metadata(clean_build)
    assert citation.chapter_title(clean_build, slug) in title
    assert f"Version {cff['version']}" in title
    assert citation.work(f"chapters/{slug}", clean_build).text in title


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("slug", CHAPTERS)
def test_each_handout_is_one_or_two_a4_pages_without_answers(clean_build, slug):
    pdf = clean_build / SITE / teaching.handout_path(slug)
    assert 1 <= pdf_pages(pdf) <= handouts.MAX_PAGES
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == handouts.A4_MM
    text = " ".join(pdf_text(pdf).split())
    assert "Learning objectives" in text and "Key points" in text and "Cite as:" in text
    assert citation.chapter_title(clean_build, slug) in text
    # A handout asks the bank's first questions, at least MIN_QUESTIONS, and
    # names the rest (handouts.make_handout); no answer is printed.
    questions = teaching.chapter_questions(slug, clean_build)
    rest = re.search(r"Questions? (\d+)(?:–(\d+))? (?:is|are) on the chapter page", text)
    asked = int(rest.group(1)) - 1 if rest else len(questions)
    assert asked >= min(handouts.MIN_QUESTIONS, len(questions))
    assert not rest or int(rest.group(2) or rest.group(1)) == len(questions)
    for question in questions[:asked]:
        assert " ".join(question.stem.split())[:40] in text
    for question in questions:  # (long enough not to be a key point's opening words)
        assert " ".join(question.feedback[question.correct].split())[:120] not in text


@pytest.mark.parametrize("slug", CHAPTERS)
def test_each_chapter_page_links_its_own_deck_and_handout(clean_build, slug):
    page = page_html(clean_build, slug)
    links = re.findall(r'<a class="(teaching-(?:deck|handout))[^"]*" href="([^"]+)"', page)
    assert links == [("teaching-deck", f"../{teaching.deck_path(slug)}"),
                     ("teaching-handout", f"../{teaching.handout_path(slug)}")]
    teachers = (clean_build / SITE / "teachers.html").read_text("utf-8")
    assert f'href="{teaching.deck_path(slug)}"' in teachers
    assert f'href="{teaching.handout_path(slug)}"' in teachers


def test_the_answer_key_is_printed_whole_and_linked_from_its_page(clean_build):
    pdf = clean_build / SITE / teaching.ANSWER_KEY_PDF
    text = " ".join(pdf_text(pdf).split())
    bank = questions.bank(clean_build)
    missing = [q.id for q in bank if f"({q.id})" not in text]
    assert not missing, f"questions not in the printed answer key: {missing}"
    assert text.count("(correct answer)") == len(bank)
    page = (clean_build / SITE / f"{teaching.ANSWER_KEY}.html").read_text("utf-8")
    assert f'href="../{teaching.ANSWER_KEY_PDF}"' in page


def make_kit(root: Path) -> str:
    """``teaching.make_kit`` in a thread of its own: the browser tests keep
    Playwright's synchronous API (and its event loop) open in this one."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(teaching.make_kit, root, work_html(root)).result()


def test_an_unchanged_chapter_is_not_made_again(clean_build, tmp_path):
    root = copy_built_book(clean_build, tmp_path / "book")
    decks_folder = work_html(root) / teaching.DECK_FOLDER
    assert "(0 decks and 0 handouts made" in make_kit(root)
    before = {p.name: p.read_bytes() for p in decks_folder.iterdir()}
    # A changed figure makes its chapter's deck and handout again, and no other.
    png = root / "figures" / "radiotherapy-eqd2.png"
    Image.open(png).convert("L").save(png)
    assert "(1 decks and 1 handouts made" in make_kit(root)
    after = {p.name: p.read_bytes() for p in decks_folder.iterdir()}
    assert [name for name in before if before[name] != after[name]] == ["radiotherapy.pptx"]


def test_a_deck_renders_in_libreoffice_one_page_per_slide(clean_build, tmp_path):
    deck = clean_build / SITE / teaching.deck_path(RENDERED)
    profile = tmp_path / "profile"  # its own, so that no other LibreOffice interferes
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                   capture_output=True, check=True, timeout=300)
    pdf = tmp_path / f"{RENDERED}.pdf"
    assert pdf_pages(pdf) == len(Presentation(str(deck)).slides)
    # The first figure's slide is drawn: a picture, not an empty page.
    order = kinds(Presentation(str(deck)))
    slide = 2 + next(i for i, (kind, _) in enumerate(order) if kind == "figure")
    subprocess.run(["pdftoppm", "-r", "30", "-png", "-f", str(slide), "-l", str(slide),
                    str(pdf), str(tmp_path / "slide")], check=True)
    png = next(tmp_path.glob("slide*.png"))
    pixels = Image.open(png).convert("L")
    dark = sum(pixels.histogram()[:128])
    assert dark > 0.01 * pixels.width * pixels.height
    text = pdf_text(pdf)
    assert f"Figure {order[slide - 2][1]}." in text
