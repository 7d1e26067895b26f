"""Session plans (``data/sessions.csv``) on the teachers' page: each session's
steps add up to the length the page states, each step names its material and
the learning objective it serves, and each session is shown once, as a table."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from lbclbook import data, sessions

from conftest import ROOT

TEACHERS = ROOT / "teachers.md"
SHOW_PLAN = re.compile(r'show_plan\(sessions, "([a-z-]+)"')
# The length as the page words it, in the session's bold heading.
STATED = re.compile(r"^\*\*[^*]*\((?P<length>[a-z -]+?)(?:, [a-z]+)?\)\.\*\*", re.MULTILINE)
MINUTES = {"thirty minutes": 30, "forty-five minutes": 45, "one hour": 60,
           "ninety minutes": 90, "two hours": 120}
DECK = re.compile(r"decks/([a-z0-9<>-]+)\.pptx")
CASE = re.compile(r"((?:Case report|Composite case): [^.]+)\.")  # a case page's title


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return data.load("sessions", ROOT)


def stated_lengths(text: str) -> dict[str, int]:
    """Each session shown on the page, with the minutes its heading states:
    the last bold heading before its ``show_plan`` cell."""
    lengths = {}
    for call in SHOW_PLAN.finditer(text):
        headings = list(STATED.finditer(text, 0, call.start()))
        assert headings, f"session {call.group(1)}: no heading with its length before it"
        lengths[call.group(1)] = MINUTES[headings[-1].group("length")]
    return lengths


def test_every_session_is_shown_once_on_the_teachers_page(table):
    shown = SHOW_PLAN.findall(TEACHERS.read_text("utf-8"))
    assert sorted(shown) == sorted(set(table.session))


@pytest.mark.parametrize("session", ["problem-and-map", "jigsaw", "cases", "reading-a-slide"])
def test_steps_add_up_to_the_stated_length(table, session):
    assert sessions.total_minutes(table, session) == stated_lengths(
        TEACHERS.read_text("utf-8"))[session]


def test_the_length_check_reads_the_heading_of_each_session():
    text = ("**A (one hour).** x\n\nshow_plan(sessions, \"a\")\n\n"
            "**B (ninety minutes, jigsaw).** y\n\nshow_plan(sessions, \"b\")\n")
    assert stated_lengths(text) == {"a": 60, "b": 90}


def test_steps_are_numbered_in_order(table):
    for session, steps in table.groupby("session"):
        assert sorted(steps.step) == list(range(1, len(steps) + 1)), session


def test_a_step_names_both_chapter_and_objective_or_neither(table):
    assert ((table.chapter == "") == table.objective.isna()).all()
    assert table.objective.notna().mean() > 0.8  # nearly every step serves an objective


def chapter_objectives(slug: str) -> int:
    """How many learning objectives chapter ``slug`` lists (its admonition's bullets)."""
    text = (ROOT / "chapters" / f"{slug}.md").read_text("utf-8")
    if "objectives" in data.table_names(ROOT):
        # Once the objectives are a table (data/objectives.csv), they are counted there.
        return int((data.load("objectives", ROOT).chapter == slug).sum())
    block = text.split("Learning objectives", 1)[1].split("\n```", 1)[0]
    return len(re.findall(r"^- ", block, re.MULTILINE))


def test_every_objective_served_is_one_the_chapter_lists(table):
    served = table[table.chapter != ""]
    for row in served.itertuples():
        assert 1 <= row.objective <= chapter_objectives(row.chapter), (row.session, row.step)


def test_materials_name_decks_of_chapters_and_cases_by_their_titles(table):
    slugs = set(data.load("chapters", ROOT).slug) | {"<chapter>"}
    cases = {path.read_text("utf-8").split("\n# ", 1)[1].split("\n", 1)[0]
             for path in (ROOT / "cases").glob("*.md")}
    decks = [slug for text in table.material for slug in DECK.findall(text)]
    named = [title for text in table.material for title in CASE.findall(text)]
    assert decks and set(decks) <= slugs
    assert named and set(named) <= cases


def test_a_plan_is_a_table_of_minutes_activity_material_and_objective(table):
    shown = []
    original = sessions.tables.show
    try:
        sessions.tables.show = lambda frame, name, caption, formats=None: shown.append(
            (frame, name, caption))
        sessions.show_plan(table, "cases")
    finally:
        sessions.tables.show = original
    frame, name, caption = shown[0]
    assert list(frame.columns) == ["Minutes", "Activity", "Material", "Objective served"]
    assert frame["Minutes"].sum() == 45 and "45 minutes" in caption
    assert name == "session-cases"
    assert frame["Objective served"].iloc[1].startswith("{doc}`Chapter 3 </chapters/checkpoint-inhibitors>`")


def test_the_objective_served_carries_its_text_once_objectives_are_a_table():
    objectives = pd.DataFrame({"chapter": ["synthesis"], "number": [2],
                               "text": ["compare response rates [across] modalities"]})
    cell = sessions.objective_served("synthesis", 2, objectives)
    assert cell.startswith("{doc}`Chapter 8 </chapters/synthesis>`, objective 2: ")
    assert r"\[across\]" in cell  # the text is escaped
    assert sessions.objective_served("", pd.NA) == ""
