"""Typeset every chapter as a PDF of its own: ``python -m lbclbook.toolchain.pdf`` (``make pdf``).

Authors cite chapters, so each chapter is a document, not a page cut out of
the book: Jupyter Book's ``--individualpages`` skips its LaTeX extension and
stamps the build date (jupyter-book issue 904). Instead, each chapter in
``_toc.yml`` gets a Jupyter Book LaTeX build of its own:

1. A small source folder (``_build/.work/pdf/<slug>/src``) holds a generated
   root page and links to the book's ``chapters/``, ``figures/``, ``data/``
   and ``references.bib``. Beside it, a table of contents (that root, then
   the one chapter) and a configuration derived from the book's own.
2. ``jupyter-book build --builder latex`` writes the LaTeX, strictly. The
   chapter is not executed again: the build reads the book's execution cache.
3. XeLaTeX typesets it with ``SOURCE_DATE_EPOCH`` at the data's date, so the
   same sources give the same PDF, byte for byte.
4. The PDFs land in ``_build/pdf/<slug>.pdf``, and the site is republished
   with them as ``pdf/<slug>.pdf``, by renaming, as ``make book`` does.

Run ``make book`` first (``make pdf`` does): it validates the data, fills the
execution cache and builds the site the PDFs are added to.
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from sphinx.util import texescape

from .. import citation, toc
from . import build, uptodate
from .stamps import CACHE
from ..paths import book_root

PDFS = Path("_build") / "pdf"                      # <slug>.pdf: the known folder
WORK = build.WORK / "pdf"                          # one LaTeX build per chapter
STAGING = build.WORK / "site-with-pdfs"
LATEX_FILES = Path(__file__).parent / "latex"
LINKED = ["chapters", "figures", "data", "references.bib"]

# The page: A4 with 25 mm margins all round, as journals print on it. The
# running header and the page number sit in the top and bottom margins.
PAPER_MM = (210.0, 297.0)
MARGIN_MM = 25.0
TEX_POINTS_PER_MM = 72.27 / 25.4
LANGUAGE = "en-GB"  # the book's spelling ("tumour", "haematological"), for screen readers


def text_area_mm() -> tuple[float, float]:
    """The text block's width and height in mm: nothing may be set outside it."""
    return PAPER_MM[0] - 2 * MARGIN_MM, PAPER_MM[1] - 2 * MARGIN_MM


def build_all(root: Path) -> int:
    """Typeset every chapter, then publish the site with the PDFs; 0 if all went well."""
    if (root / build.FAILED).exists():
        print("make pdf: the last book build failed; run make book and fix it first.",
              file=sys.stderr)
        return 2
    started = time.monotonic()
    sources = uptodate.inputs(root)
    numbers = toc.chapter_numbers(root)
    (root / PDFS).mkdir(parents=True, exist_ok=True)
    for stale in set((root / PDFS).glob("*.pdf")) - {pdf_file(root, s) for s in numbers}:
        stale.unlink()  # a chapter taken out of the book
    for slug, number in numbers.items():
        code = build_chapter(root, slug, number)
        if code != 0:
            print(f"make pdf: chapter {slug} failed (exit {code}); "
                  f"{build.SITE} is left as it was.", file=sys.stderr)
            return code
    publish(root, list(numbers))
    uptodate.republished(root / build.LAST_GOOD, sources, root / build.SITE)
    print(f"make pdf: {len(numbers)} chapter PDFs in {time.monotonic() - started:.0f} s "
          f"-> {PDFS} and {build.SITE / citation.PDF_FOLDER}")
    return 0


def pdf_file(root: Path, slug: str) -> Path:
    return root / PDFS / f"{slug}.pdf"


def latex_log(root: Path, slug: str) -> Path:
    """XeLaTeX's log of chapter ``slug``: where it reports a line set too wide."""
    return root / WORK / slug / "_build" / "latex" / f"{slug}.log"


def build_chapter(root: Path, slug: str, number: int | None) -> int:
    """LaTeX for chapter ``slug`` from a generated book, then XeLaTeX; 0 if both worked."""
    work = root / WORK / slug
    source = _source_folder(root, work / "src", slug)
    (work / "_toc.yml").write_text(yaml.safe_dump(_toc(slug), sort_keys=False), "utf-8")
    (work / "_config.yml").write_text(
        yaml.safe_dump(_config(root, slug, number), sort_keys=False, allow_unicode=True), "utf-8")
    code = subprocess.call(_latex_command(source, work), cwd=root)
    if code != 0:
        return code
    latex = work / "_build" / "latex"
    code = subprocess.call(["make", "-C", str(latex), "all-pdf"], env=_typesetting_env(root))
    if code == 0:
        shutil.copyfile(latex / f"{slug}.pdf", pdf_file(root, slug))
    return code


def _source_folder(root: Path, source: Path, slug: str) -> Path:
    """The chapter's source folder: a root page, and links to the book's files.

    Deliberately without ``_config.yml``: ``book_root()`` called from here
    must find the book itself, so that the data fingerprints (and with them
    the execution cache) are the ones ``make book`` uses.
    """
    source.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = source / name
        link.unlink(missing_ok=True)  # it may point to where the book used to be
        link.symlink_to(root / name)
    title = citation.chapter_title(root, slug)
    (source / "index.md").write_text(f"# {title}\n", "utf-8")
    return source


def _toc(slug: str) -> dict:
    return {"format": "jb-book", "root": "index",
            "chapters": [{"file": f"chapters/{slug}"}]}


def _config(root: Path, slug: str, number: int | None) -> dict:
    """The book's ``_config.yml``, set up to typeset chapter ``slug`` alone."""
    config = yaml.safe_load((root / "_config.yml").read_text("utf-8"))
    cff = citation.metadata(root)
    title = citation.chapter_title(root, slug)
    config["execute"]["cache"] = str(root / CACHE)
    config["latex"] = {
        "latex_engine": "xelatex",
        "use_jupyterbook_latex": True,
        "latex_documents": {"targetname": f"{slug}.tex", "title": title},
    }
    config["sphinx"]["extra_extensions"].append("lbclbook.toolchain.pdfext")
    config["sphinx"]["config"].update({
        "release": cff["version"],
        "version": cff["version"],
        "today": citation.long_date(citation.data_date(cff)),  # not the build date
        "latex_elements": _latex_elements(root, cff, slug, number),
        "latex_table_style": ["booktabs"],  # rules above, below and under the header only
        "lbcl_pdf_text_area": [side * TEX_POINTS_PER_MM for side in text_area_mm()],
        "latex_additional_files": [str(LATEX_FILES / "bbm.sty"),
                                   str(LATEX_FILES / "lbclchapter.sty")],
        "latex_use_xindy": False,          # xindy is not in the TeX packages we install
        "latex_domain_indices": False,
        "jblatex_load_imgconverter": False,  # the figures come as PNG already
        "jblatex_show_tocs": False,        # the root page's toctree is no content
    })
    return config


def _latex_elements(root: Path, cff: dict, slug: str, number: int | None) -> dict[str, str]:
    """The page, the title block's text, and a chapter numbered as in the book."""
    title = citation.chapter_title(root, slug)
    label = r"Chapter~\thechapter" if number else ""
    start = f"\\setcounter{{chapter}}{{{number - 1}}}" if number else (
        r"\setcounter{secnumdepth}{-1}\renewcommand{\thefigure}{\arabic{figure}}"
        r"\renewcommand{\thetable}{\arabic{table}}")
    return {
        "papersize": "a4paper",
        "pointsize": "11pt",
        "extraclassoptions": "openany,oneside",  # no blank pages: read on screen
        "fncychap": "",                    # the chapter opening is lbclchapter's
        "sphinxsetup": f"hmargin={MARGIN_MM}mm, vmargin={MARGIN_MM}mm",
        # hyperref fixes the document's language when it loads, before the preamble.
        "passoptionstopackages": f"\\PassOptionsToPackage{{pdflang={LANGUAGE}}}{{hyperref}}",
        "geometry": r"\usepackage[headheight=14pt]{geometry}",  # room for the running header
        "releasename": "Version",
        "preamble": "\n".join([
            f"\\newcommand{{\\lbclBookTitle}}{{{latex_escape(cff['title'])}}}",
            f"\\newcommand{{\\lbclAuthors}}{{{latex_escape(citation.authors(cff))}}}",
            f"\\newcommand{{\\lbclEdition}}{{{latex_escape(citation.edition(cff))}}}",
            f"\\newcommand{{\\lbclChapterLabel}}{{{label}}}",
            f"\\newcommand{{\\lbclCiteAs}}{{{cite_as(root, slug)}}}",
            r"\usepackage{lbclchapter}",
        ]),
        "maketitle": start + _pdf_metadata(cff, title),
        "tableofcontents": "",
        "printindex": "",
    }


def _pdf_metadata(cff: dict, title: str) -> str:
    """The document properties a PDF reader shows: the chapter's title, the
    authors, the book and its version, and keywords (the book's and the chapter's title)."""
    keywords = ", ".join([*cff.get("keywords", []), title])
    return (f"\\hypersetup{{pdftitle={{{latex_escape(title)}}}, "
            f"pdfauthor={{{latex_escape(citation.authors(cff))}}}, "
            f"pdfsubject={{{latex_escape(cff['title'])}. {latex_escape(citation.edition(cff))}}}, "
            f"pdfkeywords={{{latex_escape(keywords)}}}}}")


ADDRESS = re.compile(r"https?://\S+?(?=[.,;)]?(?:\s|$))")


def cite_as(root: Path, slug: str) -> str:
    """The chapter's citation as LaTeX, its addresses as links: the same text
    as the how-to-cite section (:func:`citation.chapter_citation`)."""
    text = citation.chapter_citation(citation.chapter_title(root, slug), root)
    parts, start = [], 0
    for address in ADDRESS.finditer(text):
        parts.append(latex_escape(text[start:address.start()]))
        parts.append(f"\\url{{{latex_url(address.group())}}}")
        start = address.end()
    parts.append(latex_escape(text[start:]))
    return "".join(parts)


def latex_url(address: str) -> str:
    """``address`` for hyperref's ``\\url`` in a macro's argument."""
    return re.sub(r"([%#{}\\])", r"\\\1", address)


def latex_escape(text: str) -> str:
    """``text`` as literal LaTeX text, as Sphinx's LaTeX writer escapes it for XeLaTeX."""
    texescape.init()  # fills the escape tables (the LaTeX builder does it too; idempotent)
    return texescape.escape(text, latex_engine="xelatex")


def _latex_command(source: Path, work: Path) -> list[str]:
    """The strict build, from a fresh environment: reading one chapter from the
    cache is quick, and a saved environment could hide a warning (see build.FAILED)."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return [str(jupyter_book), "build", str(source), "--builder", "latex",
            "--config", str(work / "_config.yml"), "--toc", str(work / "_toc.yml"),
            "--path-output", str(work), "-W", "-n", "--keep-going", "--all"]


def _typesetting_env(root: Path) -> dict[str, str]:
    """XeLaTeX's environment: every date it could stamp is the data's date."""
    day = citation.data_date(citation.metadata(root))
    epoch = calendar.timegm(day.timetuple())
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "FORCE_SOURCE_DATE": "1",
            "LATEXOPTS": "-interaction=nonstopmode -halt-on-error",
            "LATEXMKOPTS": "-silent"}


def publish(root: Path, slugs: list[str]) -> None:
    """The site as ``make book`` built it, plus the PDFs, renamed into place."""
    staging = root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(build.work_html(root), staging)
    (staging / citation.PDF_FOLDER).mkdir()
    for slug in slugs:
        shutil.copyfile(pdf_file(root, slug), staging / citation.pdf_path(slug))
    build.publish(staging, root / build.SITE)
    shutil.rmtree(staging, ignore_errors=True)


def build_some(root: Path, slugs: list[str]) -> int:
    """Typeset only ``slugs`` into ``_build/pdf`` and publish nothing (the
    site links every chapter's PDF): for an author checking one chapter."""
    numbers = toc.chapter_numbers(root)
    if unknown := sorted(set(slugs) - set(numbers)):
        print(f"make pdf: no chapter {', '.join(unknown)}; chapters: {', '.join(numbers)}",
              file=sys.stderr)
        return 2
    (root / PDFS).mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        if code := build_chapter(root, slug, numbers[slug]):
            return code
    print(f"make pdf: {', '.join(slugs)} -> {PDFS} (site not republished)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", action="append", default=[], metavar="SLUG",
                        help="typeset only this chapter (repeatable); the site is not republished")
    args = parser.parse_args(argv)
    if args.chapter:
        return build_some(book_root(), args.chapter)
    return build_all(book_root())


if __name__ == "__main__":
    sys.exit(main())
