"""The teaching kit: a slide deck and a handout per chapter, made by ``make book``.

After the strict build has written the site, and before it is published,
:func:`make_kit` reads each chapter's page as built (``chapterpage``) and
writes ``decks/<slug>.pptx`` (``decks``) and ``handouts/<slug>.pdf``
(``handouts``) into it. So a deck or a handout can never be stale: it is
made from the same page, figures and data as the site it is published with,
and the build fails (keeping the last good site) if one cannot be made.

Only what changed is made again. Each deck and handout is kept in
``_build/.work/kit`` with a fingerprint of everything it shows: the page's
content as read, the figure files, the citation, the questions, and the code
that makes it. An unchanged chapter is copied from there.

The links: each chapter page has a "Teaching material" line (the role
``{teaching-material}`slug```, placed by the how-to-cite cell) and the
teachers' page lists every chapter's (the ``{teaching-material-list}``
directive). Both come from :func:`links`, the one place that says what a
page links to.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import shutil
import sys
import time
from dataclasses import asdict
from importlib import metadata as distributions
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes

from .. import citation as citing, questions, toc
from . import chapterpage, offers

DECK_FOLDER = "decks"          # in the site: decks/<slug>.pptx
HANDOUT_FOLDER = "handouts"    # in the site: handouts/<slug>.pdf
ANSWER_KEY = "appendix/answer-key"   # the teachers' page, also printed to a PDF
ANSWER_KEY_PDF = f"{HANDOUT_FOLDER}/answer-key.pdf"
KIT = Path("_build") / ".work" / "kit"   # what was made, and from what
CODE = ("chapterpage.py", "decks.py", "handouts.py", "teaching.py")


def deck_path(slug: str) -> str:
    """Where chapter ``slug``'s slide deck lives, relative to the site's root."""
    return f"{DECK_FOLDER}/{slug}.pptx"


def handout_path(slug: str) -> str:
    """Where chapter ``slug``'s handout lives, relative to the site's root."""
    return f"{HANDOUT_FOLDER}/{slug}.pdf"


def chapter_questions(slug: str, root: Path | None = None) -> list:
    """The chapter's questions from the question bank, in order."""
    return list(questions.for_chapter(slug, root))


def chapter_citation(root: Path, slug: str):
    from .decks import Citation

    work = citing.work(f"chapters/{slug}", root)
    cff = citing.metadata(root)
    return Citation(text=work.text, edition=work.edition, version=work.version,
                    released=work.released, authors=citing.authors(cff), book=work.book)


# --------------------------------------------------------------------------
# Making the kit


def make_kit(root: Path, site: Path) -> str:
    """Write every chapter's deck and handout into ``site``; returns a summary line.

    Raises ``chapterpage.PageError`` (or the error of the tool that failed) if
    a chapter's deck or handout cannot be made.
    """
    started = time.monotonic()
    kit = root / KIT
    kit.mkdir(parents=True, exist_ok=True)
    slugs = list(toc.chapter_numbers(root))
    made = {"deck": 0, "handout": 0}
    bank = questions.bank(root)  # validated and resolved once, for every chapter
    browser = _LazyBrowser()
    try:
        for slug in slugs:
            page = chapterpage.read(site / "chapters" / f"{slug}.html", slug)
            cite = chapter_citation(root, slug)
            asked = [q for q in bank if q.chapter == slug]
            stamp = fingerprint(root, page, cite, asked)
            if _remake(kit, f"{slug}.pptx", stamp):
                from .decks import make_deck

                make_deck(page, cite, root / "figures", asked, kit / f"{slug}.pptx")
                _record(kit, f"{slug}.pptx", stamp)
                made["deck"] += 1
            if _remake(kit, f"{slug}.pdf", stamp):
                from .handouts import make_handout

                make_handout(page, cite, root / "figures", asked, kit / f"{slug}.pdf",
                             browser.get())
                _record(kit, f"{slug}.pdf", stamp)
                made["handout"] += 1
        made["answer key"] = _answer_key(root, site, kit, browser)
    finally:
        browser.close()
    _publish(kit, site, slugs)
    return (f"teaching kit: {len(slugs)} decks and handouts ({made['deck']} decks and "
            f"{made['handout']} handouts made, the others unchanged; answer key "
            f"{'printed' if made['answer key'] else 'unchanged'}) "
            f"in {time.monotonic() - started:.1f} s")


def _answer_key(root: Path, site: Path, kit: Path, browser) -> bool:
    """Print the answer key page to ``kit/answer-key.pdf`` if it changed (or
    the code printing it did); True if it was printed."""
    page = site / f"{ANSWER_KEY}.html"
    if not page.exists():  # a book without the page (the hostile-input probe's, say)
        return False
    digest = hashlib.sha256(page.read_bytes())
    digest.update(fingerprint_code().encode())
    if not _remake(kit, "answer-key.pdf", digest.hexdigest()):
        return False
    from .handouts import print_page

    cff = citing.metadata(root)
    print_page(site, ANSWER_KEY, citing.site_url(cff), kit / "answer-key.pdf",
               citing.data_date(cff), browser.get())
    _record(kit, "answer-key.pdf", digest.hexdigest())
    return True


def fingerprint_code() -> str:
    """A hash of the code that makes the kit, and of the tools it runs."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in CODE:
        digest.update((here / name).read_bytes())
    digest.update(distributions.version("python-pptx").encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def fingerprint(root: Path, page: chapterpage.ChapterPage, cite, asked: list) -> str:
    """A hash of everything a chapter's deck and handout show, and of the code making them."""
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(page), sort_keys=True, default=str).encode())
    digest.update(json.dumps(asdict(cite), sort_keys=True, default=str).encode())
    digest.update(json.dumps([asdict(q) for q in asked], sort_keys=True, default=str).encode())
    for figure in page.figures:
        digest.update((root / "figures" / f"{figure.stem}.png").read_bytes())
    digest.update(fingerprint_code().encode())
    return digest.hexdigest()


def _stamp_file(kit: Path, name: str) -> Path:
    return kit / f"{name}.stamp"


def _remake(kit: Path, name: str, stamp: str) -> bool:
    stamped = _stamp_file(kit, name)
    return not ((kit / name).exists() and stamped.exists() and stamped.read_text() == stamp)


def _record(kit: Path, name: str, stamp: str) -> None:
    _stamp_file(kit, name).write_text(stamp)


def _publish(kit: Path, site: Path, slugs: list[str]) -> None:
    """The decks and handouts of ``slugs`` (and nothing else) into the site."""
    for folder, suffix, path in ((DECK_FOLDER, "pptx", deck_path),
                                 (HANDOUT_FOLDER, "pdf", handout_path)):
        shutil.rmtree(site / folder, ignore_errors=True)  # a chapter taken out of the book
        (site / folder).mkdir(parents=True)
        for slug in slugs:
            shutil.copyfile(kit / f"{slug}.{suffix}", site / path(slug))
    if (site / f"{ANSWER_KEY}.html").exists():
        shutil.copyfile(kit / "answer-key.pdf", site / ANSWER_KEY_PDF)


class _LazyBrowser:
    """Chromium, started only if a handout has to be made."""

    def __init__(self):
        self._playwright = self._browser = None

    def get(self):
        if self._browser is None:
            from .handouts import launch

            self._playwright, self._browser = launch()
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()


# --------------------------------------------------------------------------
# Links from the pages


def links(slug: str, docname: str) -> list[nodes.Node]:
    """Links from page ``docname`` to chapter ``slug``'s deck and handout.

    ``make book`` makes both for every chapter before it publishes a page, so
    the links are never dead. This is the one place that says what a page
    links to (adapt it here if a file comes to be made by another command).
    """
    here = posixpath.dirname(docname) or "."
    deck = posixpath.relpath(deck_path(slug), here)
    handout = posixpath.relpath(handout_path(slug), here)
    return [
        nodes.reference("", "slides", refuri=deck, classes=["teaching-deck"]),
        nodes.Text(f" (PowerPoint, editable: {slug}.pptx) and a "),
        nodes.reference("", "handout", refuri=handout, classes=["teaching-handout"]),
        nodes.Text(f" (PDF, A4: {slug}.pdf)"),
    ]


def teaching_material_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{teaching-material}`slug```: "Teaching material: slides (...) and a handout (...)"."""
    slug = text.strip()
    if slug not in toc.chapters_in_toc():
        message = inliner.reporter.error(
            f"teaching-material: {slug!r} is not a chapter in _toc.yml", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    docname = inliner.document.settings.env.docname
    line = nodes.inline("", "", classes=["teaching-material"])
    line += [nodes.Text("Teaching material: "), *links(slug, docname), nodes.Text(".")]
    return [line], []


class TeachingMaterialList(Directive):
    """``{teaching-material-list}``: each chapter, in reading order, with its
    slides and handout."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        env = self.state.document.settings.env
        listing = nodes.bullet_list()
        for slug in toc.chapter_numbers():
            link = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                         reftarget=f"/chapters/{slug}", refexplicit=False,
                                         refdoc=env.docname, refwarn=True)
            link += nodes.inline("", f"chapters/{slug}")
            paragraph = nodes.paragraph("", "", link, nodes.Text(": "),
                                        *links(slug, env.docname))
            listing += nodes.list_item("", paragraph)
        return [listing]


def answer_key_pdf_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{answer-key-pdf}`print```: a link to the answer key as a PDF (an offer:
    shown only in a site that holds the file)."""
    here = posixpath.dirname(inliner.document.settings.env.docname) or "."
    link = nodes.reference(rawtext, "The answer key as a PDF",
                           refuri=posixpath.relpath(ANSWER_KEY_PDF, here),
                           classes=["teaching-answer-key"])
    return offers.offer(ANSWER_KEY_PDF, [link, nodes.Text(" (A4), to print.")]), []


def setup(app) -> dict[str, object]:
    app.add_role("answer-key-pdf", answer_key_pdf_role)
    app.add_role("teaching-material", teaching_material_role)
    app.add_directive("teaching-material-list", TeachingMaterialList)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
