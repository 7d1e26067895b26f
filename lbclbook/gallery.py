"""The figure gallery: every figure of the book, for reuse in teaching.

It reads data, not pages: :func:`lbclbook.plots.show` records each figure's
chapter, number, caption and alt text in ``figures/<stem>.json`` beside the
SVG and the print PNG. From those records this module

- shows the gallery (:func:`show_gallery`): per chapter, each figure's
  thumbnail, caption, alt text, downloads and the citation to give;
- writes one zip per chapter (:func:`chapter_zip`): its figures as SVG and
  PNG and a README with their captions, alt texts and citations, byte for
  byte the same on every build (fixed timestamps and order).
"""

from __future__ import annotations

import functools
import io
import json
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from . import citation, markup, toc
from .paths import book_root

FIGURES = "figures"
THUMBNAIL_PX = 320            # CSS px: two lines of a phone's width, a third of a laptop's
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can store: no build date in the file


@dataclass(frozen=True)
class Figure:
    stem: str              # radiotherapy-eqd2: the files' name
    chapter: str           # the chapter's slug
    number: str | None     # 4.1, as the book numbers it
    caption: str
    alt: str
    width_pt: float
    height_pt: float

    @property
    def label(self) -> str:
        return f"Figure {self.number}" if self.number else f"Figure {self.stem}"

    def path(self, suffix: str, root: Path | None = None) -> Path:
        return (root or book_root()) / FIGURES / f"{self.stem}.{suffix}"


def figures(root: Path | None = None) -> list[Figure]:
    """Every figure in ``figures/``, in the book's order: by chapter, then number."""
    root = root or book_root()
    order = {slug: i for i, slug in enumerate(toc.chapter_numbers(root))}
    found = [_read(path) for path in sorted((root / FIGURES).glob("*.json"))]
    return sorted(found, key=lambda f: (order.get(f.chapter, len(order)), f.chapter,
                                        _number_key(f.number), f.stem))


def _read(path: Path) -> Figure:
    record = json.loads(path.read_text("utf-8"))
    missing = [key for key in ("chapter", "caption", "alt") if not record.get(key)]
    if missing:
        raise ValueError(f"{path.name}: no {', '.join(missing)}; the chapter that draws "
                         "the figure must run again (plots.show records them)")
    return Figure(stem=path.stem, chapter=record["chapter"], number=record.get("number"),
                  caption=record["caption"], alt=record["alt"],
                  width_pt=record["width_pt"], height_pt=record["height_pt"])


def _number_key(number: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split(".")) if number else ()


def by_chapter(root: Path | None = None) -> dict[str, list[Figure]]:
    """The figures of each chapter in ``_toc.yml``, chapters in reading order."""
    root = root or book_root()
    listed = toc.chapter_numbers(root)
    chapters: dict[str, list[Figure]] = {}
    for figure in figures(root):
        if figure.chapter in listed:
            chapters.setdefault(figure.chapter, []).append(figure)
    return chapters


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height in pixels."""
    with Image.open(path) as image:
        return image.size


def png_dpi(path: Path) -> float | None:
    """The resolution a PNG declares (its pHYs chunk), in dots per inch."""
    with Image.open(path) as image:
        dpi = image.info.get("dpi")
    return round(dpi[0]) if dpi else None


def figure_citation(figure: Figure, root: Path | None = None) -> str:
    """The citation to give when reusing ``figure``: its chapter's citation,
    the figure's number, and the address of the figure on the page."""
    work = _chapter_work(figure.chapter, root or book_root())
    text = work.text.removesuffix(f" {work.url}")
    return f"{text} {figure.label}. {work.url}#fig-{figure.stem}"


@functools.lru_cache(maxsize=None)
def _chapter_work(slug: str, root: Path) -> citation.Work:
    return citation.work(f"chapters/{slug}", root)  # reads the bibliography: once a chapter


# --------------------------------------------------------------------------
# The page


def show_gallery() -> None:
    """Display the gallery: a section per chapter, a block per figure."""
    root = book_root()
    sections = [_chapter_section(slug, figs, root) for slug, figs in by_chapter(root).items()]
    markup.show({markup.MARKDOWN: "\n\n".join(sections),
                 "text/plain": "\n".join(f.stem for f in figures(root))})


def _chapter_section(slug: str, figs: list[Figure], root: Path) -> str:
    number = toc.chapter_numbers(root).get(slug)
    heading = f"{number}. {toc.title(slug, root)}" if number else toc.title(slug, root)
    # The zip is written by the build; the role links it and fails the build
    # for a chapter without figures, so the page never links a missing file.
    intro = (f"From {markup.doc_link(slug)}. All {len(figs)} of its figures in one file, "
             f"SVG and PNG with a README of captions, alt texts and citations: "
             f"{{figures-zip}}`{slug}`.")
    return "\n\n".join([f"## {markup.escape(heading)}", intro,
                        *(_figure_block(f, root) for f in figs)])


def _figure_block(figure: Figure, root: Path) -> str:
    width, height = png_size(figure.path("png", root))
    thumbnail_height = round(THUMBNAIL_PX * figure.height_pt / figure.width_pt)
    thumbnail = markup.directive(
        "image", f"/{FIGURES}/{figure.stem}.svg",
        # The thumbnail is a link to the SVG (Sphinx links a scaled image to
        # its file): its alt text names where it leads; the figure's own alt
        # text follows as text.
        {"alt": f"{figure.label}, thumbnail: opens the figure at full size (SVG)",
         "width": f"{THUMBNAIL_PX}px",
         "height": f"{thumbnail_height}px", "loading": "lazy"}, "")
    downloads = (f"{{download}}`SVG </{FIGURES}/{figure.stem}.svg>` (for slides: scales "
                 f"without loss) · {{download}}`PNG </{FIGURES}/{figure.stem}.png>` "
                 f"({png_dpi(figure.path('png', root))} dpi, {width} × {height} px)")
    return "\n\n".join([
        f"### {figure.label}",
        thumbnail,
        f"**Caption.** {markup.escape(figure.caption)}",
        f"**Alt text.** {markup.escape(figure.alt)}",
        f"**Download.** {downloads}",
        f"**Cite as.** {markup.escape(figure_citation(figure, root))}",
    ])


# --------------------------------------------------------------------------
# The zip of a chapter's figures


def zip_name(slug: str) -> str:
    """Where the zip of chapter ``slug``'s figures lives, relative to the site's root."""
    return f"{FIGURES}/{slug}-figures.zip"


def chapter_zip(slug: str, root: Path | None = None) -> bytes:
    """The zip of chapter ``slug``'s figures: README.txt, then each figure's
    SVG and PNG; the same bytes on every run."""
    root = root or book_root()
    figs = by_chapter(root)[slug]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "README.txt", readme(slug, figs, root).encode("utf-8"))
        for figure in figs:
            for suffix in ("svg", "png"):
                _add(archive, f"{figure.stem}.{suffix}", figure.path(suffix, root).read_bytes())
    return buffer.getvalue()


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3                  # Unix, wherever it is built
    info.external_attr = 0o644 << 16        # rw-r--r--
    archive.writestr(info, data)


def readme(slug: str, figs: list[Figure], root: Path) -> str:
    """What travels with the figures: where they come from, the licence, and
    each figure's caption, alt text and citation."""
    cff = citation.metadata(root)
    number = toc.chapter_numbers(root).get(slug)
    chapter = f"Chapter {number}, {toc.title(slug, root)}" if number else toc.title(slug, root)
    lines = [f"Figures of {chapter}",
             *_wrapped("From", f"{cff['title']}. {citation.edition(cff)}."),
             *_wrapped("Licence", f"{cff['license']}. Reuse them with attribution: give "
                       "the citation below, and keep the alt text with the figure in slides."),
             *_wrapped("Files", "each figure as SVG (for slides: scales without loss) and "
                       f"PNG ({png_dpi(figs[0].path('png', root))} dpi, for slide software "
                       "that cannot import SVG).")]
    for figure in figs:
        lines += ["", f"{figure.label}: {figure.stem}.svg, {figure.stem}.png",
                  *_wrapped("Caption", figure.caption),
                  *_wrapped("Alt text", figure.alt),
                  *_wrapped("Cite as", figure_citation(figure, root))]
    return "\n".join(lines) + "\n"


def _wrapped(name: str, text: str) -> list[str]:
    return textwrap.wrap(f"{name}: {text}", width=78, subsequent_indent="  ",
                         break_long_words=False, break_on_hyphens=False)
