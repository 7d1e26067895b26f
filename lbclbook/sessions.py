"""Session plans for teachers: each suggested session as a table of steps.

A plan is rows of ``data/sessions.csv``: minutes, activity, material (deck
slides, the chapter's questions, a case) and the learning objective the step
serves, named by its chapter and its number there. The page loads the tables
(so that editing them re-executes it) and passes them in.
"""

from __future__ import annotations

import pandas as pd

from . import markup, tables, toc

COLUMNS = {"minutes": "Minutes", "activity": "Activity", "material": "Material",
           "objective": "Objective served"}


def steps(sessions: pd.DataFrame, session: str) -> pd.DataFrame:
    """The steps of ``session``, in order."""
    found = sessions[sessions.session == session].sort_values("step")
    if found.empty:
        raise ValueError(f"no session {session!r} in sessions.csv")
    return found


def total_minutes(sessions: pd.DataFrame, session: str) -> int:
    return int(steps(sessions, session).minutes.sum())


def objective_served(chapter: object, number: object,
                     objectives: pd.DataFrame | None = None) -> markup.Markup | str:
    """``Chapter 1, objective 3`` (a link to the chapter), with the
    objective's text when the objectives table holds it; empty for a step
    that serves no single objective."""
    if pd.isna(chapter) or not chapter or pd.isna(number):
        return ""  # the step serves no single objective (the table leaves both empty)
    chapter_number = toc.chapter_numbers().get(chapter)
    name = f"Chapter {chapter_number}" if chapter_number else toc.title(chapter)
    text = f"{{doc}}`{name} </chapters/{chapter}>`, objective {int(number)}"
    if objectives is not None:
        found = objectives[(objectives.chapter == chapter) & (objectives.number == int(number))]
        if not found.empty:
            text += f": {markup.escape(found.iloc[0].text)}"
    return markup.Markup(text)


def show_plan(sessions: pd.DataFrame, session: str,
              objectives: pd.DataFrame | None = None) -> None:
    """Display ``session``'s plan as a numbered table."""
    plan = steps(sessions, session)
    table = pd.DataFrame({
        COLUMNS["minutes"]: plan.minutes.astype(int).tolist(),
        COLUMNS["activity"]: plan.activity.tolist(),
        COLUMNS["material"]: plan.material.tolist(),
        COLUMNS["objective"]: [objective_served(c, n, objectives)
                               for c, n in zip(plan.chapter, plan.objective)],
    })
    tables.show(table, f"session-{session}",
                f"Plan of the session: {len(plan)} steps, {total_minutes(sessions, session)} "
                "minutes in all.")
