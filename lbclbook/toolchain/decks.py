"""One editable slide deck per chapter (.pptx), made from the chapter as the site shows it.

A deck is never edited by hand: the build makes it again whenever what it
shows changes (``teaching``). Its slides, in order:

1. a title slide: the chapter, its citation and the book's version;
2. the learning objectives;
3. one slide per figure (the figure, the first sentence of its caption as
   the title, its source), keeping the book's number ("Figure 4.1");
4. one slide per table, as a real table when it fits (at most
   :data:`MAX_TABLE_ROWS` rows and :data:`MAX_TABLE_COLUMNS` columns on a
   slide at :data:`TABLE_PT` pt): a longer table is split over slides,
   "rows 1-7 of 14"; a wider or longer one is summarised (what it shows, its
   size, where to find it in full);
5. the key points;
6. the chapter's questions without their answers, one a slide, then the
   answers with the reason for each.

Every slide has speaker notes saying what it shows and where its numbers come
from: the figure's or table's full caption, the section it is in, the
references that section cites and the data tables the page reads. Pictures
carry the figure's alt text. The layout is 16:9 and body text is never
smaller than :data:`MIN_BODY_PT` pt; text is measured (DejaVu Sans, wider
than the usual presentation fonts) and continued on a new slide instead of
overflowing.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Inches, Pt

from .chapterpage import ChapterPage, Figure, Table

SLIDE_W, SLIDE_H = 13.333, 7.5          # inches: 16:9
MARGIN = 0.55
TITLE_TOP, TITLE_H = 0.3, 1.2
BODY_TOP = TITLE_TOP + TITLE_H + 0.15
FOOTER_H = 0.4
BODY_H = SLIDE_H - BODY_TOP - FOOTER_H - 0.15
BODY_W = SLIDE_W - 2 * MARGIN

TITLE_PT, TITLE_MIN_PT = 28, 22
BODY_PT = 22
MIN_BULLET_PT = 20                      # a list shrinks this far to stay on one slide
MIN_BODY_PT = 18
TABLE_PT = 18
FOOTER_PT = 12
LINE = 1.2                              # line height, as a multiple of the type size
PARAGRAPH_GAP_PT = 8
WIDTH_SPARE = 1.04                      # measured widths are taken 4% wider
MAX_TABLE_ROWS = 8
MAX_TABLE_COLUMNS = 6
MAX_TABLE_SLIDES = 3                    # more than this: summarise instead
CELL_MARGIN = 0.08                      # inches, each side of a cell's text

INK = RGBColor(0x1A, 0x1A, 0x1A)
ACCENT = RGBColor(0x00, 0x5A, 0x8C)     # the book's blue (Okabe-Ito blue, darkened)
MUTED = RGBColor(0x55, 0x55, 0x55)
OPTION_LETTERS = "ABCDE"


@dataclass(frozen=True)
class Citation:
    """What the title slide says about the chapter as a publication."""

    text: str          # the chapter's citation, as on its page
    edition: str       # "Version 0.1.0, data of 23 November 2026"
    version: str
    released: datetime.date
    authors: str
    book: str


# --------------------------------------------------------------------------
# Measuring text (so that nothing overflows a slide)


@lru_cache(maxsize=None)
def _font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    from matplotlib import font_manager  # its DejaVu Sans, on every machine

    face = font_manager.FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")
    return ImageFont.truetype(font_manager.findfont(face), size=int(size_pt * 10))


def text_width(text: str, size_pt: float, bold: bool = False) -> float:
    """Width of ``text`` set at ``size_pt``, in inches (with a little to spare:
    renderers space letters differently)."""
    return _font(size_pt, bold).getlength(text) / 10 / 72 * WIDTH_SPARE


def wrap(text: str, width_in: float, size_pt: float, bold: bool = False) -> list[str]:
    """``text`` broken into lines no wider than ``width_in`` (a word wider than
    the line stays whole on a line of its own)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and text_width(candidate, size_pt, bold) > width_in:
            lines.append(line)
            line = word
        else:
            line = candidate
    return lines + [line] if line else lines or [""]


def text_height(lines: int, size_pt: float) -> float:
    return lines * size_pt * LINE / 72


def paragraphs_height(texts: list[str], width_in: float, size_pt: float) -> float:
    """Height of ``texts`` as paragraphs ``width_in`` wide, in inches."""
    lines = sum(len(wrap(t, width_in, size_pt)) for t in texts)
    return text_height(lines, size_pt) + len(texts) * PARAGRAPH_GAP_PT / 72


def pages_of(items: list[str], width_in: float, height_in: float,
             size_pt: float) -> list[list[str]]:
    """``items`` (paragraphs) in runs that each fit ``height_in``."""
    pages: list[list[str]] = [[]]
    for item in items:
        if pages[-1] and paragraphs_height(pages[-1] + [item], width_in, size_pt) > height_in:
            pages.append([])
        pages[-1].append(item)
    return pages


def bullet_pages(items: list[str], width_in: float, height_in: float) -> tuple[list[list[str]], float]:
    """``items`` on as few slides as they fit: on one if they do at a size down
    to :data:`MIN_BULLET_PT`, else at :data:`BODY_PT` over as many as they need."""
    for size in range(BODY_PT, MIN_BULLET_PT - 1, -1):
        if paragraphs_height(items, width_in, size) <= height_in:
            return [items], size
    return pages_of(items, width_in, height_in, BODY_PT), BODY_PT


def short_title(caption: str) -> str:
    """The caption's first sentence, without its full stop."""
    first = re.split(r"(?<=[a-z0-9)’'%])\.\s+(?=[A-Z])", caption, maxsplit=1)[0]
    return first.rstrip(".")


def fit_title(label: str, title: str) -> tuple[str, float]:
    """``"Figure 4.1. <title>"`` at the largest size from :data:`TITLE_PT` down to
    :data:`TITLE_MIN_PT` at which it fits the title box; if it fits at none,
    the title is shortened at its last clause (", " or "; ") that fits."""
    full = f"{label}. {title}" if title else label
    for size in range(TITLE_PT, TITLE_MIN_PT - 1, -2):
        if text_height(len(wrap(full, BODY_W, size, bold=True)), size) <= TITLE_H:
            return full, size
    clauses = re.split(r"(?<=[,;]) ", title)
    while len(clauses) > 1:
        clauses.pop()
        shorter = f"{label}. {' '.join(clauses).rstrip(',;')}"
        if text_height(len(wrap(shorter, BODY_W, TITLE_MIN_PT, bold=True)),
                       TITLE_MIN_PT) <= TITLE_H:
            return shorter, TITLE_MIN_PT
    return label, TITLE_PT


# --------------------------------------------------------------------------
# The deck


class Deck:
    """A 16:9 presentation being written, with the book's slide layouts."""

    def __init__(self, page: ChapterPage, citation: Citation):
        self.page = page
        self.citation = citation
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
        self._blank = self.prs.slide_layouts[6]

    # -- building blocks

    def slide(self, title: str, label: str = "", notes: str = ""):
        """A new slide with its title (``label`` first, e.g. "Figure 4.1") and notes."""
        slide = self.prs.slides.add_slide(self._blank)
        heading, size = fit_title(label, title) if label else (title, TITLE_PT)
        if not label:
            while size > TITLE_MIN_PT and text_height(
                    len(wrap(title, BODY_W, size, bold=True)), size) > TITLE_H:
                size -= 2
        box = self._text_box(slide, MARGIN, TITLE_TOP, BODY_W, TITLE_H, anchor=MSO_ANCHOR.BOTTOM)
        box.name = "Title"
        self._paragraph(box.text_frame, heading, size, bold=True, colour=ACCENT, first=True)
        self._footer(slide)
        slide.notes_slide.notes_text_frame.text = notes
        return slide

    def _footer(self, slide) -> None:
        number = f"Chapter {self.page.number}. " if self.page.number else ""
        box = self._text_box(slide, MARGIN, SLIDE_H - FOOTER_H - 0.1, BODY_W, FOOTER_H)
        box.name = "Footer"
        self._paragraph(box.text_frame, f"{number}{self.page.title} · {self.citation.edition}",
                        FOOTER_PT, colour=MUTED, first=True)

    def _text_box(self, slide, left, top, width, height, anchor=MSO_ANCHOR.TOP):
        box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
        frame = box.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = anchor
        frame.margin_left = frame.margin_right = Inches(0)
        frame.margin_top = frame.margin_bottom = Inches(0)
        return box

    @staticmethod
    def _paragraph(frame, text: str, size: float, bold: bool = False, colour=INK,
                   first: bool = False, bullet: str = "", align=None):
        paragraph = frame.paragraphs[0] if first else frame.add_paragraph()
        if not first:
            paragraph.space_before = Pt(PARAGRAPH_GAP_PT)
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run()
        run.text = f"{bullet}{text}"
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = colour
        return paragraph

    def bullets(self, slide, items: list[str], size: float = BODY_PT, lead: str = "",
                top: float = BODY_TOP, left: float = MARGIN, width: float = BODY_W,
                height: float = BODY_H, marker: str = "• ") -> None:
        box = self._text_box(slide, left, top, width, height)
        box.name = "Body"
        first = True
        if lead:
            self._paragraph(box.text_frame, lead, size, first=True)
            first = False
        for item in items:
            self._paragraph(box.text_frame, item, size, bullet=marker, first=first)
            first = False

    # -- the slides

    def title_slide(self) -> None:
        page, cite = self.page, self.citation
        slide = self.prs.slides.add_slide(self._blank)
        kicker = f"Chapter {page.number}" if page.number else "Chapter"
        box = self._text_box(slide, MARGIN, 1.2, BODY_W, 2.4, anchor=MSO_ANCHOR.BOTTOM)
        box.name = "Title"
        self._paragraph(box.text_frame, kicker, 24, colour=MUTED, first=True)
        self._paragraph(box.text_frame, page.title, 40, bold=True, colour=ACCENT)
        box = self._text_box(slide, MARGIN, 3.9, BODY_W, 3.2)
        box.name = "Body"
        self._paragraph(box.text_frame, cite.book, 22, first=True)
        self._paragraph(box.text_frame, cite.edition, 20, colour=MUTED)
        self._paragraph(box.text_frame, f"Cite as: {cite.text}", 18)
        slide.notes_slide.notes_text_frame.text = (
            f"Slides for chapter {page.number} of {cite.book}, {page.title}, made by the book's "
            f"build from the chapter as the site shows it ({cite.edition}). Every number on them "
            "comes from the book's data tables; the figures and tables keep the book's numbers. "
            f"Cite the chapter as: {cite.text}")

    def objectives(self) -> None:
        page = self.page
        width = BODY_W - 0.4
        room = BODY_H - paragraphs_height([page.objectives_lead], width, BODY_PT)
        runs, size = bullet_pages(list(page.objectives), width, room)
        for i, run in enumerate(runs):
            title = "Learning objectives" + (" (continued)" if i else "")
            slide = self.slide(title, notes=(
                "The chapter's learning objectives, as its page lists them. The questions at the "
                "end of this deck each practise one of them."))
            self.bullets(slide, run, size=size, lead=page.objectives_lead)

    def figure(self, figure: Figure, png: Path) -> None:
        slide = self.slide(short_title(figure.caption), label=f"Figure {figure.number}",
                           notes=self._figure_notes(figure))
        source = _source_line(figure.where)
        width_px, height_px = _png_size(png)
        aspect = height_px / width_px
        source_h = paragraphs_height([source], BODY_W, MIN_BODY_PT)
        room_h = BODY_H - source_h
        if aspect * BODY_W <= room_h:          # wide: the full width, source below
            pic_w, pic_h = BODY_W, aspect * BODY_W
        else:                                  # tall: the full height, centred
            pic_h = room_h
            pic_w = pic_h / aspect
        left = MARGIN + (BODY_W - pic_w) / 2
        picture = slide.shapes.add_picture(str(png), Inches(left), Inches(BODY_TOP),
                                           Inches(pic_w), Inches(pic_h))
        picture.name = f"Figure {figure.number}"
        _set_alt_text(picture, figure.alt, f"Figure {figure.number}")
        box = self._text_box(slide, MARGIN, BODY_TOP + pic_h + 0.05, BODY_W, source_h)
        box.name = "Source"
        self._paragraph(box.text_frame, source, MIN_BODY_PT, colour=MUTED, first=True)

    def _figure_notes(self, figure: Figure) -> str:
        return "\n\n".join([
            f"Figure {figure.number} of the chapter (section {figure.where.section}). "
            f"Caption: {figure.caption}",
            f"What it shows, in numbers (the figure's alt text): {figure.alt}",
            self._numbers_from(figure.where),
            f"The picture is figures/{figure.stem}.png, drawn from the data at every build "
            f"(figures/{figure.stem}.svg scales without loss).",
        ])

    def _numbers_from(self, where) -> str:
        sources = "; ".join(s.full for s in where.sources) or "the references of the chapter"
        tables = ", ".join(f"data/{d.file} ({d.title})" for d in self.page.data_tables)
        return (f"Where the numbers come from: {sources}. They were extracted into the book's "
                f"data tables ({tables or 'see the chapter page'}), which the chapter reads.")

    def table(self, table: Table) -> None:
        layout = table_layout(table)
        title = short_title(table.caption)
        notes = self._table_notes(table, layout)
        if layout is None:
            slide = self.slide(title, label=f"Table {table.number}", notes=notes)
            rows, columns = len(table.rows), len(table.header)
            self.bullets(slide, [
                f"{rows} rows × {columns} columns: too large to read on a slide. "
                "Show it from the chapter page, or hand it out.",
                f"On the page: section {table.where.section}.",
                f"Columns: {', '.join(h or '(unnamed)' for h in table.header)}.",
            ], size=BODY_PT)
            return
        widths, runs = layout
        for i, run in enumerate(runs):
            label = f"Table {table.number}"
            part = (f" (rows {run[0] + 1}–{run[-1] + 1} of {len(table.rows)})"
                    if len(runs) > 1 else "")
            slide = self.slide(title + part, label=label, notes=notes)
            self._table_shape(slide, table, widths, run)

    def _table_shape(self, slide, table: Table, widths: list[float], rows: list[int]) -> None:
        heights = [row_height(table.header, widths, bold=True)] + [
            row_height(table.rows[r], widths) for r in rows]
        shape = slide.shapes.add_table(len(rows) + 1, len(widths), Inches(MARGIN),
                                       Inches(BODY_TOP), Inches(sum(widths)),
                                       Inches(sum(heights)))
        shape.name = f"Table {table.number}"
        grid = shape.table
        for c, width in enumerate(widths):
            grid.columns[c].width = Inches(width)
        for r, height in enumerate(heights):
            grid.rows[r].height = Inches(height)
        cells = [table.header] + [table.rows[r] for r in rows]
        for r, values in enumerate(cells):
            for c, value in enumerate(values):
                cell = grid.cell(r, c)
                cell.margin_left = cell.margin_right = Inches(CELL_MARGIN)
                cell.margin_top = cell.margin_bottom = Inches(0.04)
                frame = cell.text_frame
                frame.word_wrap = True
                align = PP_ALIGN.RIGHT if table.right_aligned[c] else PP_ALIGN.LEFT
                paragraph = frame.paragraphs[0]
                paragraph.alignment = align
                run = paragraph.add_run()
                run.text = value
                run.font.size = Pt(TABLE_PT)
                run.font.bold = r == 0

    def _table_notes(self, table: Table, layout) -> str:
        shown = ("Too large for a slide: this slide says what it holds and where to find it; "
                 "the chapter page shows it in full." if layout is None else
                 "Split over several slides, the header repeated on each."
                 if len(layout[1]) > 1 else "")
        return "\n\n".join(filter(None, [
            f"Table {table.number} of the chapter (section {table.where.section}). "
            f"Caption: {table.caption}",
            shown,
            self._numbers_from(table.where),
        ]))

    def key_points(self) -> None:
        runs, size = bullet_pages(list(self.page.key_points), BODY_W - 0.4, BODY_H)
        for i, run in enumerate(runs):
            slide = self.slide("Key points" + (" (continued)" if i else ""), notes=(
                "The chapter's key points, as its page states them, with the references "
                "each rests on in brackets. Each number in them is computed from the book's "
                "data tables, as on the page."))
            self.bullets(slide, run, size=size)

    def question(self, number: int, question) -> None:
        slide = self.slide(f"Question {number}", notes=(
            f"Question {number} of {self._question_count} ({question.id}), practising learning "
            f"objective {question.objective}. Its numbers are computed from the book's data "
            "tables, as on the chapter page. Let the group answer before showing the answer "
            "slides at the end of the deck."))
        self._question_body(slide, question)

    def _question_body(self, slide, question, top: float = BODY_TOP,
                       height: float = BODY_H) -> None:
        options = [f"{OPTION_LETTERS[i]}. {text}" for i, text in enumerate(question.options)]
        size = BODY_PT
        while size > MIN_BODY_PT and paragraphs_height(
                [question.stem, *options], BODY_W, size) > height:
            size -= 1
        box = self._text_box(slide, MARGIN, top, BODY_W, height)
        box.name = "Body"
        self._paragraph(box.text_frame, question.stem, size, first=True)
        for option in options:
            self._paragraph(box.text_frame, option, size)

    def answer(self, number: int, question) -> None:
        letter = OPTION_LETTERS[question.correct]
        slide = self.slide(f"Answer to question {number}: {letter}", notes="\n\n".join([
            f"The answer to question {number} ({question.id}): {letter}. "
            f"{question.options[question.correct]}",
            "Why each option is right or wrong: " + " ".join(
                f"{OPTION_LETTERS[i]}: {why}" for i, why in enumerate(question.feedback)),
            "Sources (keys of the book's references.bib): "
            + (", ".join(question.sources) or "the chapter") + ". The numbers are computed "
            "from the book's data tables, as on the chapter page.",
        ]))
        items = [f"{letter}. {question.options[question.correct]}",
                 question.feedback[question.correct]]
        size = BODY_PT
        while size > MIN_BODY_PT and paragraphs_height(items, BODY_W, size) > BODY_H:
            size -= 1
        box = self._text_box(slide, MARGIN, BODY_TOP, BODY_W, BODY_H)
        box.name = "Body"
        self._paragraph(box.text_frame, items[0], size, bold=True, first=True)
        self._paragraph(box.text_frame, items[1], size)

    def questions(self, questions: list) -> None:
        self._question_count = len(questions)
        for number, question in enumerate(questions, start=1):
            self.question(number, question)
        for number, question in enumerate(questions, start=1):
            self.answer(number, question)

    # -- the file

    def properties(self) -> None:
        """Title, author, subject, keywords and dates: the data's, not the build's."""
        cite, props = self.citation, self.prs.core_properties
        when = datetime.datetime.combine(cite.released, datetime.time())
        props.title = f"{self.page.title}: slides"
        props.author = cite.authors
        props.subject = f"{cite.book}. {cite.edition}"
        props.keywords = "teaching slides; " + self.page.title
        props.comments = "Made by the book's build from the chapter page and its data."
        props.last_modified_by = cite.authors
        props.revision = 1
        props.created = props.modified = props.last_printed = when

    def save(self, path: Path) -> None:
        self.properties()
        buffer = io.BytesIO()
        self.prs.save(buffer)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_fixed_zip_times(buffer.getvalue(), self.citation.released))


def _source_line(where) -> str:
    names = [s.short for s in where.sources]
    if not names:
        return f"Source: chapter section {where.section}."
    if len(names) > 3:
        return f"Sources: {', '.join(names[:3])} and {len(names) - 3} more (in the notes)."
    return f"Source{'s' if len(names) > 1 else ''}: {'; '.join(names)}."


def _png_size(png: Path) -> tuple[int, int]:
    from PIL import Image

    with Image.open(png) as image:
        return image.size


def _set_alt_text(picture, alt: str, title: str) -> None:
    """The figure's alt text as the picture's description (what screen readers
    and PowerPoint's "Alt Text" pane read)."""
    properties = picture._element.nvPicPr.cNvPr
    properties.set("descr", alt)
    properties.set("title", title)


def _fixed_zip_times(data: bytes, day: datetime.date) -> bytes:
    """The .pptx with every member dated ``day``: the same data give the same file."""
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


# --------------------------------------------------------------------------
# Tables on slides


def column_widths(table: Table) -> list[float] | None:
    """Column widths (inches) that fill the body width, each at least its
    longest word; None if the columns cannot fit side by side."""
    natural, minimum = [], []
    for c, heading in enumerate(table.header):
        cells = [(heading, True)] + [(row[c], False) for row in table.rows if c < len(row)]
        longest_word = max((text_width(w, TABLE_PT, bold) for cell, bold in cells
                            for w in cell.split()), default=0.3)
        whole = max(text_width(cell, TABLE_PT, bold) for cell, bold in cells)
        minimum.append(longest_word + 2 * CELL_MARGIN)
        natural.append(max(whole, 0.3) + 2 * CELL_MARGIN)
    if sum(minimum) > BODY_W:
        return None
    if sum(natural) <= BODY_W:
        return natural
    # Share the width beyond each column's minimum in proportion to what it wants.
    spare = BODY_W - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum)]
    return [m + spare * w / sum(wants) for m, w in zip(minimum, wants)]


def row_height(values, widths: list[float], bold: bool = False) -> float:
    lines = max(len(wrap(v, w - 2 * CELL_MARGIN, TABLE_PT, bold))
                for v, w in zip(values, widths))
    return text_height(lines, TABLE_PT) + 0.08 + 0.04


def table_layout(table: Table) -> tuple[list[float], list[list[int]]] | None:
    """Column widths and the rows of each slide, or None if the table is to be
    summarised (too wide, a row taller than a slide, or more than
    :data:`MAX_TABLE_SLIDES` slides)."""
    if len(table.header) > MAX_TABLE_COLUMNS or not table.rows:
        return None
    widths = column_widths(table)
    if widths is None:
        return None
    room = BODY_H - row_height(table.header, widths, bold=True)
    runs: list[list[int]] = [[]]
    used = 0.0
    for r, row in enumerate(table.rows):
        height = row_height(row, widths)
        if height > room:
            return None
        if runs[-1] and (used + height > room or len(runs[-1]) == MAX_TABLE_ROWS):
            runs.append([])
            used = 0.0
        runs[-1].append(r)
        used += height
    if len(runs) > MAX_TABLE_SLIDES:
        return None
    # Even runs read better than seven rows and one.
    per_slide = -(-len(table.rows) // len(runs))
    even = [list(range(i, min(i + per_slide, len(table.rows))))
            for i in range(0, len(table.rows), per_slide)]
    if len(even) == len(runs) and all(
            sum(row_height(table.rows[r], widths) for r in run) <= room for run in even):
        runs = even
    return widths, runs


# --------------------------------------------------------------------------


def make_deck(page: ChapterPage, citation: Citation, figures: Path, questions: list,
              path: Path) -> Path:
    """Write chapter ``page``'s deck to ``path`` (figures from ``figures/<stem>.png``)."""
    deck = Deck(page, citation)
    deck.title_slide()
    deck.objectives()
    for figure in page.figures:
        deck.figure(figure, figures / f"{figure.stem}.png")
    for table in page.tables:
        deck.table(table)
    deck.key_points()
    deck.questions(questions)
    deck.save(path)
    return path

