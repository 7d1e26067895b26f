"""The question bank: its rows, its number tokens and the page that shows it.

Fast tests (no build): the bank validates with feedback on every option and
numbers only from the data; each broken rule is named by file, row, column
and rule; the HTML of a question reveals nothing before an option is
checked. The browser tests (test_browser.py, ``-k quiz``) answer a question
on every chapter page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lbclbook import data, formats, questions, stats
from lbclbook.data import DataError
from lbclbook.questions import Question, TokenError, resolve
from lbclbook.toolchain import quiz

from conftest import ROOT

CHAPTERS = list(data.load("chapters", ROOT).sort_values("order").slug)
MIN_PER_CHAPTER = 8
MIN_OPTIONS = 4
SKILLS_EACH_CHAPTER_PRACTISES = {"apply", "read-ci", "population"}


@pytest.fixture(scope="module")
def bank() -> list[Question]:
    return questions.bank(ROOT)


# --------------------------------------------------------------------------
# The bank as it stands


def test_the_bank_validates_and_comes_in_id_order(bank):
    data.validate_all(ROOT, ["questions", "objectives"])
    assert [q.id for q in bank] == sorted(q.id for q in bank)
    assert len({q.id for q in bank}) == len(bank)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_at_least_eight_questions(bank, chapter):
    assert len([q for q in bank if q.chapter == chapter]) >= MIN_PER_CHAPTER


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapters_questions_practise_applying_reading_a_ci_and_the_population(bank, chapter):
    skills = {q.skill for q in bank if q.chapter == chapter}
    assert SKILLS_EACH_CHAPTER_PRACTISES <= skills, skills


def test_every_question_has_four_options_one_answer_and_feedback_on_each(bank):
    for q in bank:
        assert MIN_OPTIONS <= len(q.options) <= len(questions.LETTERS), q.id
        assert len(q.feedback) == len(q.options), q.id
        assert 0 <= q.correct < len(q.options), q.id
        assert all(text.strip() for text in (q.stem, *q.options, *q.feedback)), q.id
        assert len(set(q.options)) == len(q.options), f"{q.id}: two options read alike"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_correct_answer_is_not_always_at_the_same_letter(bank, chapter):
    letters = [q.letter for q in bank if q.chapter == chapter]
    assert len(set(letters)) > 1, f"{chapter}: every answer is '{letters[0]}'"


def test_no_resolved_text_keeps_a_token_or_markup(bank):
    for q in bank:
        for text in (q.stem, *q.options, *q.feedback):
            assert "[[" not in text and "]]" not in text, q.id
            assert not re.search(r"\{[a-z:]+\}`|<[a-z]", text), f"{q.id}: markup in {text!r}"


def _deepest_bracket(text: str) -> int:
    depth = deepest = 0
    for character in text:
        depth += {"(": 1, ")": -1}.get(character, 0)
        deepest = max(deepest, depth)
    return deepest


def test_no_bracket_sits_inside_another(bank):
    # A count token prints its own brackets, "1 of 22 (5%; 95% CI 0–23)": a
    # sentence must not put it inside another pair.
    for q in bank:
        for text in (q.stem, *q.options, *q.feedback):
            assert _deepest_bracket(text) <= 1, f"{q.id}: nested brackets in {text!r}"


def test_every_feedback_names_a_section_of_its_chapter(bank):
    for q in bank:
        titles = questions.section_titles(q.chapter, ROOT)
        for feedback in q.feedback:
            assert any(f"'{t}'" in feedback for t in titles), (q.id, feedback)


def test_every_question_tests_one_of_its_chapters_objectives(bank):
    for q in bank:
        assert 1 <= q.objective <= len(questions.objectives(q.chapter, ROOT)), q.id


def test_the_sources_are_keys_of_the_bibliography_and_the_evidence_map(bank):
    keys = set(data.references(ROOT).entries)
    for q in bank:
        assert q.sources and set(q.sources) <= keys, q.id


# --------------------------------------------------------------------------
# Learning objectives


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_three_to_five_objectives_in_plain_text(chapter):
    texts = questions.objectives(chapter, ROOT)
    assert 3 <= len(texts) <= 5
    for text in texts:
        assert text == text.strip() and text[-1] not in ".;", text
        assert "{" not in text and "`" not in text, text


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_page_shows_its_objectives_and_its_questions(chapter):
    page = (ROOT / "chapters" / f"{chapter}.md").read_text("utf-8")
    assert "```{learning-objectives}\n```" in page
    assert f"```{{question-bank}} {chapter}\n```" in page
    assert "{admonition} Learning objectives" not in page  # the table is the one source
    assert ":class: dropdown" not in page  # no answer left in the chapter itself


def test_the_answer_key_page_is_generated_from_the_bank():
    page = (ROOT / "appendix" / "answer-key.md").read_text("utf-8")
    assert "```{answer-key}\n```" in page  # a section per chapter with questions, in order


# --------------------------------------------------------------------------
# Tokens: every format, against the book's own formatting functions

CHONG = "[[responses study=chong2018 cohort='pembrolizumab after CART19' outcome=ORR | {}]]"


def test_a_count_token_is_the_books_count_with_its_exact_interval():
    assert resolve(CHONG.format("count"), ROOT) == formats.events_ci(3, 11)
    assert resolve(CHONG.format("count"), ROOT) == "3 of 11 (27%; 95% CI 6–61)"
    assert resolve(CHONG.format("percent"), ROOT) == formats.percent_ci(stats.proportion(3, 11))
    assert resolve(CHONG.format("pct"), ROOT) == "27%"
    assert resolve(CHONG.format("pct.1"), ROOT) == "27.3%"
    assert resolve(CHONG.format("ci"), ROOT) == "95% CI 6–61"
    assert resolve(CHONG.format("fraction"), ROOT) == "3/11"
    assert resolve(CHONG.format("of"), ROOT) == "3 of 11"
    assert resolve(CHONG.format("rest"), ROOT) == "8"
    assert resolve(CHONG.format("rest-count"), ROOT) == formats.events_ci(8, 11)
    assert resolve(CHONG.format("printed"), ROOT) == "27%"
    assert resolve(CHONG.format("events") + " and " + CHONG.format("n"), ROOT) == "3 and 11"
    p = stats.proportion(3, 11)
    assert resolve(CHONG.format("width"), ROOT) == f"{p.high - p.low:.0f} percentage points"


def test_value_tokens_keep_the_digits_the_source_printed():
    early = "[[survival study=chow2019 cohort='early progression' endpoint=OS statistic=median | {}]]"
    assert resolve(early.format("value"), ROOT) == "3.75 months"
    assert resolve(early.format("value.1"), ROOT) == "3.8 months"
    assert resolve("[[survival_comparisons study=chow2019 endpoint=OS | p]]", ROOT) == "p = 0.042"
    assert resolve("[[survival_comparisons study=rtsalvage2023 endpoint=OS | p]]", ROOT) == "p < 0.001"
    assert resolve("[[baseline_medians study=schuster2019 cohort='all safety-evaluable' "
                   "characteristic=age | range]]", ROOT) == "62 years (range 19–96)"
    assert resolve("[[reported_tests study=sehn2020 comparison='Pola-BR vs BR: overall survival' "
                   "statistic=hazard_ratio | estimate]]", ROOT) == "0.42 (95% CI 0.24–0.75)"
    assert resolve("[[headline_figures figure_id=prolonged_cytopenia | value]]", ROOT) == "20–30%"
    assert resolve("[[book ci]] and [[book alpha-beta]]", ROOT) == "95% CI and 10 Gy"


def test_radiotherapy_tokens_use_the_books_linear_quadratic_model():
    course = "[[radiotherapy_courses study=imber2020 patient=3 | {}]]"
    assert resolve(course.format("col:dose_gy"), ROOT) == "20"
    assert resolve(course.format("bed"), ROOT) == f"{stats.bed(20, 5):.1f} Gy"
    assert resolve(course.format("eqd2"), ROOT) == f"{stats.eqd2(20, 5):.1f} Gy"


def test_aggregates_count_and_add_the_rows_that_match():
    courses = data.load("radiotherapy_courses", ROOT)
    palliative = courses.indication_groups.str.split(";").apply(
        lambda groups: "palliation" in [g.strip() for g in groups]).sum()
    assert resolve("[[radiotherapy_courses study=imber2020 indication_groups~=palliation | rows]]",
                   ROOT) == str(palliative)
    breakdown = ("[[responses study=chong2018 cohort='pembrolizumab after CART19' "
                 "outcome=CR outcome=PR outcome=SD outcome=PD | sum:events]]")
    assert resolve(breakdown, ROOT) == "11"


def test_comparisons_recompute_from_the_two_rows_counts():
    shah = ("[[responses study=shah2020 outcome=ORR cohort='LV20.19 day 28: cryopreserved infusion'"
            " vs cohort='LV20.19 day 28: fresh infusion' | {}]]")
    recomputed = stats.odds_ratio(4, 7, 14, 15)
    assert resolve(shah.format("odds-ratio"), ROOT) == formats.ratio_ci(
        recomputed.estimate, recomputed.low, recomputed.high, 2)
    # The lower bound (0.0017) prints as the chapter prints it, never as 0.00.
    assert "95% CI 0.002\u2013" in resolve(shah.format("odds-ratio"), ROOT)
    assert resolve(shah.format("fisher-p"), ROOT) == f"p = {recomputed.p_value:.3f}"
    difference = stats.risk_difference(4, 7, 14, 15)
    assert resolve(shah.format("risk-difference"), ROOT) == formats.with_ci(
        difference.estimate, difference.low, difference.high, 0, "percentage points")
    full = ("[[reported_values study=chong2018 cohort='pembrolizumab after CART19: full paper "
            "(Blood 2022)' quantity='patients with a best overall response' "
            "vs quantity='patients treated' | count-of]]")
    assert resolve(full, ROOT) == formats.events_ci(3, 12)


def test_a_quoted_value_may_hold_a_quote_written_twice():
    token = ("[[proportions study=shah2020 cohort='LV20.19 phase 1' measure=baseline "
             "category='histology: Richter''s transformation' | of]]")
    assert resolve(token, ROOT) == "2 of 22"


@pytest.mark.parametrize("token, rule, words", [
    ("[[responses study=chong2019 outcome=ORR | count]]", "token-matches-one-row", "matches 0 rows"),
    ("[[responses study=schuster2019 outcome=ORR | count]]", "token-matches-one-row",
     "matches 4 rows of data/responses.csv; add filters (cohort)"),
    ("[[nonsense study=chong2018 | count]]", "token-table", "no table 'nonsense'"),
    ("[[questions id=radiotherapy-01 | col:stem]]", "token-table", "no table 'questions'"),
    ("[[responses study=chong2018 colour=red | count]]", "token-column", "no column 'colour'"),
    ("[[responses study=chong2018 outcome=ORR | tally]]", "token-format", "unknown format 'tally'"),
    ("[[responses study=chong2018 outcome=ORR]]", "token-syntax", "no '| format'"),
    ("[[responses study=chong2018 cohort='open | count]]", "token-syntax", "unclosed quote"),
    ("[[responses study=iacoboni2024 cohort='first salvage: radiotherapy' outcome=ORR | count]]",
     "token-needs-columns", "needs events, n"),
    ("[[responses study=chong2018 outcome=ORR | col]]", "token-format", "write 'col:COLUMN'"),
])
def test_a_broken_token_names_its_rule(token, rule, words):
    with pytest.raises(TokenError) as caught:
        resolve(token, ROOT)
    assert caught.value.rule == rule and words in str(caught.value)


# --------------------------------------------------------------------------
# Broken rows stop the build with file, row, column and rule


def edit(root: Path, row: int, **cells: str) -> None:
    path = root / "data" / "questions.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column, value in cells.items():
        frame.loc[row, column] = value
    frame.to_csv(path, index=False)


def rejected(root: Path) -> str:
    with pytest.raises(DataError) as caught:
        data.load("questions", root)
    return str(caught.value)


@pytest.mark.parametrize("cells, column, rule", [
    ({"stem": "How many? [[responses study=chong2019 outcome=ORR | count]]"}, "stem",
     "token-matches-one-row"),
    ({"option_c": "[[survival study=chow2019 endpoint=OS | value]]"}, "option_c",
     "token-matches-one-row"),
    ({"feedback_b": "Of 61 patients. See 'Since 2020'."}, "feedback_b", "no-typed-number"),
    ({"stem": "Is the exact 95% CI wide?"}, "stem", "no-typed-number"),
    ({"feedback_d": ""}, "feedback_d", "constraint-error"),  # a-d are required by the schema
    ({"option_e": "A fifth option."}, "feedback_e", "feedback-for-every-option"),
    ({"feedback_e": "Why e is wrong. See 'Since 2020'."}, "feedback_e", "feedback-for-every-option"),
    ({"correct": "e"}, "correct", "correct-names-an-option"),
    ({"feedback_a": "Because it is."}, "feedback_a", "feedback-names-a-section"),
    ({"feedback_a": "See 'Key points'."}, "feedback_a", "feedback-names-a-section"),
    ({"sources": "zurko2023 nobody2099"}, "sources", "study-in-evidence-map"),
    ({"objective": "9"}, "chapter", "foreign-key"),
    ({"id": "radiotherapy-1"}, "id", "constraint-error"),
    ({"skill": "guess"}, "skill", "constraint-error"),
])
def test_a_broken_question_is_named_by_file_row_column_and_rule(book_copy, cells, column, rule):
    edit(book_copy, 0, **cells)
    message = rejected(book_copy)
    assert f"data/questions.csv, row 2, column '{column}'" in message, message
    assert f"rule '{rule}'" in message, message


def test_an_id_must_name_its_own_chapter(book_copy):
    edit(book_copy, 0, id="synthesis-77")
    message = rejected(book_copy)
    assert "row 2, column 'id'" in message and "id-is-chapter-and-number" in message


def test_a_typed_number_check_allows_names_labels_and_time_points():
    ctx_free = questions._typed_number_problems  # the check itself, without a table
    allowed = ("Zurko 2023a, phase 1/2, grade 3 or higher, 12-month OS, CD19, EQD2, LV20.19, "
               "Patient 3, PD-1")
    assert not ctx_free(None, 0, "stem", allowed, ["Zurko 2023a"], [])
    assert questions._NUMBER.findall("in 11 of 12 (27%), median 5.3, p 0.05") == [
        "11", "12", "27%", "5.3", "0.05"]


# --------------------------------------------------------------------------
# The question on the page (lbclbook.toolchain.quiz)

HOSTILE = Question(
    id="radiotherapy-99", chapter="radiotherapy", objective=1,
    stem="Is <script>alert(1)</script> & \"this\" escaped?",
    options=("Yes <b>bold</b>", "No", "The book's reading: perhaps", "Never"),
    correct=0, feedback=("Because <i>it is</i>.", "Wrong.", "Wrong too.", "No."),
    sources=("imber2020",), skill="recall")


def test_a_question_is_a_form_whose_feedback_waits_hidden():
    page = quiz.question_html(HOSTILE, 3, ["Imber 2020"])
    assert page.count('type="radio"') == 4 and page.count('name="question-radiotherapy-99"') == 4
    assert "<fieldset>" in page and "<legend>" in page and "Question 3." in page
    assert 'aria-live="polite"' in page and 'role="status"' in page
    live = re.search(r'<div class="lbcl-feedback"[^>]*>(.*?)</div>', page, re.S)
    assert live and live.group(1) == ""  # nothing shown before an option is checked
    store = page.index('<div class="lbcl-feedback-texts" hidden>')
    assert page.index("Because") > store and page.index("Correct.") > store
    assert '<div class="lbcl-actions" hidden>' in page  # the buttons appear with the script
    assert 'for="question-radiotherapy-99-c"' in page and 'id="question-radiotherapy-99-c"' in page


def test_every_text_of_a_question_is_escaped():
    page = quiz.question_html(HOSTILE, 1, ["Imber <2020>"])
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;" in page and "&quot;this&quot;" in page and "Imber &lt;2020&gt;" in page
    assert "<em>The book&#x27;s reading:</em>" in page


def test_only_the_correct_options_feedback_says_correct():
    page = quiz.question_html(HOSTILE, 1, ["Imber 2020"])
    verdicts = re.findall(r'data-option="([a-e])" data-verdict="(\w+)"', page)
    assert verdicts == [("a", "correct"), ("b", "incorrect"), ("c", "incorrect"), ("d", "incorrect")]


def test_the_quiz_assets_hide_answers_in_print_and_check_on_submit():
    css = (quiz_assets() / quiz.STYLESHEET).read_text("utf-8")
    script = (quiz_assets() / quiz.SCRIPT).read_text("utf-8")
    printed = css[css.index("@media print"):]
    for hidden in (".lbcl-feedback", ".lbcl-feedback-texts", ".lbcl-actions"):
        assert hidden in printed
    assert "display: none !important" in printed
    assert 'addEventListener("submit"' in script and 'addEventListener("reset"' in script
    assert "innerHTML" not in script  # feedback is copied as nodes, never parsed again


def test_the_site_prints_no_answer_of_a_dropdown():
    css = (quiz_assets() / "lbcl-chrome.css").read_text("utf-8")
    printed = css[css.index("@media print"):]
    assert re.search(r"\.admonition\.dropdown,\s*details\.dropdown\s*\{\s*display: none !important",
                     printed)
    assert "visibility: visible" not in printed  # the rule that printed answers open is gone


def quiz_assets() -> Path:
    from lbclbook.toolchain.icons import ASSETS
    return Path(ASSETS)
