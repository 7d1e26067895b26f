"""Sphinx extension: the question bank and the learning objectives on the page.

Three directives read the author wing's :mod:`lbclbook.questions`:

- ``{learning-objectives}``: the chapter's "Learning objectives" box, from
  ``data/objectives.csv``;
- ``{question-bank} <slug>``: the chapter's questions. On the site each is a
  form a reader answers without a server: a fieldset whose legend is the
  stem, one radio button per option, a Check button, the feedback of the
  chosen option in a live region (a screen reader announces it) and a Reset
  button (``assets/lbcl-quiz.js``). Nothing is revealed before an option is
  chosen and checked: the feedback waits in a ``hidden`` element. Printed
  (``assets/lbcl-quiz.css``) and in the chapter PDFs, the questions show
  their options and no answer;
- ``{answer-key} <slug>``: the teacher's key: every question of the chapter
  with its correct answer and the feedback on every option.

The HTML is written here, every text escaped; the questions' text is plain
(the bank forbids MyST), so nothing in it can become markup.
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from .. import citecheck, data, questions
from ..paths import book_root

STYLESHEET = "lbcl-quiz.css"
SCRIPT = "lbcl-quiz.js"
BANK_CLASS = "lbcl-quiz"
TABLES_OF_THE_BANK = (questions.QUESTIONS, questions.OBJECTIVES)


# --------------------------------------------------------------------------
# The HTML of a question (a pure function, tested without a build)

READING = "The book's reading:"  # marks an inference, in italics as on every page


def _escaped(text: str) -> str:
    """``text`` escaped for HTML, with the book's reading marked as in the prose."""
    marker = html.escape(READING)
    return html.escape(text).replace(marker, f"<em>{marker}</em>")


def text_nodes(text: str) -> list[nodes.Node]:
    """``text`` as docutils nodes, with the book's reading in italics."""
    out = []
    for i, part in enumerate(text.split(READING)):
        if i:
            out.append(nodes.emphasis(text=READING))
        if part:
            out.append(nodes.Text(part))
    return out


def question_html(question: questions.Question, number: int, source_labels: list[str]) -> str:
    """One question as a form: nothing of the answer is visible before Check."""
    e = _escaped
    qid = f"question-{question.id}"
    options = "\n".join(
        f'<li class="lbcl-option"><input type="radio" name="{qid}" id="{qid}-{letter}" '
        f'value="{letter}"> <label for="{qid}-{letter}">{e(text)}</label></li>'
        for letter, text in zip(questions.LETTERS, question.options))
    sources = f"Source{'s' if len(source_labels) > 1 else ''}: {e(', '.join(source_labels))}."
    feedback = "\n".join(
        f'<div data-option="{letter}" data-verdict="{"correct" if i == question.correct else "incorrect"}">'
        f'<p><strong>{"Correct." if i == question.correct else "Not this one."}</strong> '
        f'{e(text)}</p><p class="lbcl-sources">{sources}</p></div>'
        for i, (letter, text) in enumerate(zip(questions.LETTERS, question.feedback)))
    return (
        f'<form class="lbcl-question" id="{qid}" data-question="{html.escape(question.id)}">\n'
        f'<fieldset>\n<legend><span class="lbcl-question-number">Question {number}.</span> '
        f'{e(question.stem)}</legend>\n<ol class="lbcl-options">\n{options}\n</ol>\n</fieldset>\n'
        f'<div class="lbcl-actions" hidden><button type="submit" class="lbcl-check">Check answer'
        f'</button> <button type="reset" class="lbcl-reset">Reset</button></div>\n'
        f'<div class="lbcl-feedback" role="status" aria-live="polite"></div>\n'
        f'<div class="lbcl-feedback-texts" hidden>\n{feedback}\n</div>\n</form>')


def bank_html(chapter_questions: list[questions.Question], labels: dict[str, str]) -> str:
    forms = "\n".join(question_html(q, i, [labels.get(k, k) for k in q.sources])
                      for i, q in enumerate(chapter_questions, 1))
    return (f'<div class="{BANK_CLASS}">\n<p class="lbcl-quiz-help">Choose an option and '
            'press <em>Check answer</em> (or Enter) to see why it is right or wrong; '
            '<em>Reset</em> clears a question. Nothing is sent anywhere: the page works '
            f'offline.</p>\n{forms}\n<div class="lbcl-actions" hidden><button type="button" '
            'class="lbcl-reset-all">Reset all questions</button></div>\n</div>')


# --------------------------------------------------------------------------
# Directives


class _BankDirective(SphinxDirective):
    optional_arguments = 1

    @property
    def slug(self) -> str:
        return self.arguments[0] if self.arguments else posixpath.basename(self.env.docname)

    def note_tables(self, *names: str) -> None:
        """Read this page again when the bank or a table it takes numbers from changes."""
        root = book_root(self.env.srcdir)
        self.env.note_dependency(str(root / data.DATAPACKAGE))
        for name in (*TABLES_OF_THE_BANK, *names):
            self.env.note_dependency(str(data.table_path(name, root)))

    def chapter_questions(self) -> list[questions.Question]:
        chosen = questions.for_chapter(self.slug, self.env.srcdir)
        self.note_tables(*data.table_names(self.env.srcdir))
        return chosen

    def labels(self) -> dict[str, str]:
        studies = data.load(data.EVIDENCE_MAP, self.env.srcdir)
        return dict(zip(studies.study, studies.label))


class QuestionBank(_BankDirective):
    """``{question-bank} slug``: the chapter's questions, to answer on the page."""

    def run(self) -> list[nodes.Node]:
        chosen = self.chapter_questions()
        if not chosen:
            raise self.error(f"question-bank: no questions for chapter {self.slug!r} "
                             f"in data/{questions.QUESTIONS}.csv")
        labels = self.labels()
        on_site = nodes.raw("", bank_html(chosen, labels), format="html")
        on_paper = addnodes.only(expr="not format_html")
        on_paper += paper_questions(chosen)
        container = nodes.container(classes=[BANK_CLASS + "-bank"])
        container += [on_site, on_paper, *self.citations(chosen)]
        return [container]

    def citations(self, chosen: list[questions.Question]) -> list[nodes.Node]:
        """The questions' sources, cited with the page's own prefix: the
        chapter's reference list then holds every source its questions name."""
        keys = list(dict.fromkeys(key for q in chosen for key in q.sources))
        page = Path(self.env.doc2path(self.env.docname)).read_text("utf-8")
        prefix = citecheck.keyprefix(page)
        if prefix is None:
            raise self.error("question-bank: the page needs a {bibliography} block with a "
                             ":keyprefix: to cite the questions' sources")
        cites = ",".join(prefix + key for key in keys)
        return self.parse_text_to_nodes(f"Sources of these questions: {{cite:p}}`{cites}`.")


def paper_questions(chosen: list[questions.Question]) -> list[nodes.Node]:
    """The questions for a PDF: stem and lettered options, no answers."""
    out = [nodes.paragraph(text="Answers and feedback are in the answer key for teachers, "
                                "and on the chapter's page once an option is chosen.")]
    for number, question in enumerate(chosen, 1):
        stem = nodes.paragraph()
        stem += nodes.strong(text=f"Question {number}. ")
        stem += text_nodes(question.stem)
        out += [stem, _lettered(question.options)]
    return out


def _lettered(texts, marks=None) -> nodes.enumerated_list:
    items = nodes.enumerated_list(enumtype="loweralpha", prefix="", suffix=".")
    for i, text in enumerate(texts):
        item = nodes.list_item()
        item += marks[i] if marks else nodes.paragraph("", "", *text_nodes(text))
        items += item
    return items


class AnswerKey(_BankDirective):
    """``{answer-key}``: a section per chapter (in reading order) with every
    question, its answer and the feedback on every option; ``{answer-key} slug``:
    one chapter's questions, without a section."""

    def run(self) -> list[nodes.Node]:
        if self.arguments:
            return self.chapter_key(self.slug)
        chapters = data.load(data.CHAPTERS, self.env.srcdir).sort_values("order")
        with_questions = {q.chapter for q in questions.bank(self.env.srcdir)}
        sections = []
        for slug, title in zip(chapters.slug, chapters.title):
            if slug not in with_questions:
                continue
            section = nodes.section(ids=[f"answer-key-{slug}"], names=[f"answer key {slug}"])
            section += nodes.title(text=title)
            link = addnodes.pending_xref("", nodes.inline(text=title), refdomain="std",
                                         reftype="doc", reftarget=f"/chapters/{slug}",
                                         refexplicit=True, refdoc=self.env.docname)
            section += nodes.paragraph("", "", nodes.Text("The questions of "), link,
                                       nodes.Text(", in the order of its page."))
            section += self.chapter_key(slug)
            sections.append(section)
        return sections

    def chapter_key(self, slug: str) -> list[nodes.Node]:
        chosen = questions.for_chapter(slug, self.env.srcdir)
        self.note_tables(*data.table_names(self.env.srcdir))
        labels = self.labels()
        objectives = questions.objectives(slug, self.env.srcdir)
        out = []
        for number, q in enumerate(chosen, 1):
            head = nodes.paragraph(classes=["lbcl-key-stem"])
            head += nodes.strong(text=f"Question {number} ({q.id}). ")
            head += text_nodes(q.stem)
            about = nodes.paragraph(classes=["lbcl-key-about"], text=(
                f"Objective {q.objective}: {objectives[q.objective - 1]}. "
                f"Skill: {SKILLS[q.skill]}. Answer: {q.letter}."))
            items = []
            for i, (option, feedback) in enumerate(zip(q.options, q.feedback)):
                body = nodes.container()
                line = nodes.paragraph()
                line += text_nodes(option)
                if i == q.correct:
                    line += nodes.Text(" ")
                    line += nodes.strong(text="(correct answer)")
                body += line
                body += nodes.paragraph("", "", *text_nodes(feedback), classes=["lbcl-key-feedback"])
                items.append(body)
            sources = nodes.paragraph(text="Sources: " + ", ".join(
                labels.get(k, k) for k in q.sources) + ".")
            out += [head, about, _lettered(q.options, items), sources]
        return out


SKILLS = {"apply": "applying the evidence", "read-ci": "reading a count, interval or median",
          "population": "who the patients were", "recall": "recall"}


class LearningObjectives(_BankDirective):
    """``{learning-objectives}``: the chapter's "Learning objectives" box."""

    def run(self) -> list[nodes.Node]:
        self.note_tables()
        texts = questions.objectives(self.slug, self.env.srcdir)
        if not texts:
            raise self.error(f"learning-objectives: no objectives for chapter {self.slug!r} "
                             f"in data/{questions.OBJECTIVES}.csv")
        box = nodes.admonition(classes=["tip"])
        box += nodes.title(text="Learning objectives")
        box += nodes.paragraph(text="After this chapter you can:")
        items = nodes.bullet_list(bullet="-")
        for i, text in enumerate(texts):
            items += nodes.list_item("", nodes.paragraph(
                text=text + ("." if i == len(texts) - 1 else ";")))
        box += items
        return [box]


# --------------------------------------------------------------------------
# Assets only on pages with questions


def _quiz_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None:
        return
    if any(BANK_CLASS + "-bank" in node["classes"] for node in doctree.findall(nodes.container)):
        app.add_css_file(STYLESHEET)
        app.add_js_file(SCRIPT, defer="defer")


def setup(app: Sphinx) -> dict[str, object]:
    # The assets live beside the chrome's (lbclbook/toolchain/assets/), which
    # puts that folder on the static path and republishes pages when they change.
    app.setup_extension("lbclbook.toolchain.chrome")
    app.add_directive("learning-objectives", LearningObjectives)
    app.add_directive("question-bank", QuestionBank)
    app.add_directive("answer-key", AnswerKey)
    app.connect("html-page-context", _quiz_assets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
