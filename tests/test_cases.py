"""Every case says at its top what kind of case it is, and a composite case
invents nothing but its patient.

The book has two kinds of case page. A published case report tells a real
patient from a source. A composite teaching case tells an invented patient:
that is allowed only because the page says so first, because the patient's
details are rows of ``data/composite_cases.csv`` flagged as invented, and
because its evidence numbers are glued from the study tables, never typed.
"""

from __future__ import annotations

import re

import pytest

from lbclbook.data import load

from conftest import ROOT

CASES = sorted((ROOT / "cases").glob("*.md"))
LABELS = {
    "published": "**A published case report:**",
    "composite": ("**A composite teaching case, not a real patient:** the patient's details "
                  "are invented; every evidence number comes from the studies cited."),
}
INVENTED = "invented for teaching"

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
CODE_CELL = re.compile(r"^```+\{code-cell\}.*?^```+$", re.S | re.M)
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")  # {glue:text}`age:.0f`, {cite:p}`...`, {doc}`...`
DECISION = re.compile(r"\*\*Decision point \d+\.\*\*")
# A toxicity grade names a row of adverse_events (its 'grade'), as CD19 names an antigen.
GRADE = re.compile(r"\bgrade \d(?: or higher)?\b")
# A number standing alone in prose: not part of a name such as CD19, ELM-1 or PD-1.
BARE_NUMBER = re.compile(r"(?<![\w.\-/])\d+(?:\.\d+)?(?!\w)")


def prose(text: str) -> str:
    """The page's markdown without front matter and code cells."""
    return CODE_CELL.sub("", FRONT_MATTER.sub("", text))


def opening(text: str) -> str:
    """The first paragraph under the title, as one line: what a reader sees first."""
    after_title = re.split(r"^# .*$", prose(text), maxsplit=1, flags=re.M)[1]
    first = next(p for p in re.split(r"\n\s*\n", after_title) if p.strip())
    return " ".join(first.split())


def bare_numbers(text: str, names: list[str] = ()) -> list[str]:
    """Numbers typed into prose. Glued numbers, citation keys and ``names``
    (study labels such as "Iacoboni 2024") do not count."""
    text = GRADE.sub("", DECISION.sub("", ROLE.sub("", prose(text))))
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "")
    return BARE_NUMBER.findall(text)


def kind(text: str) -> str:
    found = [k for k, label in LABELS.items() if label.split("**")[1] in text]
    assert len(found) == 1, f"declares {found or 'no label'}, not exactly one of {list(LABELS)}"
    return found[0]


def composites() -> list:
    return [case for case in CASES if kind(case.read_text("utf-8")) == "composite"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_every_case_declares_exactly_one_label_at_its_top(case):
    text = case.read_text("utf-8")
    assert opening(text).startswith(LABELS[kind(text)]), \
        f"{case.name}: the first paragraph must begin with {LABELS[kind(text)]!r}"


def test_the_book_has_cases_of_both_kinds():
    kinds = [kind(case.read_text("utf-8")) for case in CASES]
    assert kinds.count("published") >= 3 and kinds.count("composite") >= 2


@pytest.mark.parametrize("case", composites(), ids=lambda p: p.stem)
def test_a_composite_case_takes_its_patient_from_rows_flagged_invented(case):
    text = case.read_text("utf-8")
    details = load("composite_cases", ROOT)
    own = details[details.case_id == case.stem]
    assert not own.empty, f"{case.name}: no rows in data/composite_cases.csv"
    assert (own.source == INVENTED).all()
    assert f'CASE = "{case.stem}"' in text and 'load("composite_cases")' in text
    assert 'load("case_facts")' not in text, "a composite case reads no real patient's facts"
    # Every detail the page reads is one of its invented rows, and it reads them all.
    read = set(re.findall(r'patient\.at\["([^"]+)"', text))
    assert read == set(own.detail), f"{case.name}: reads {sorted(read)}, has {sorted(own.detail)}"


@pytest.mark.parametrize("case", composites(), ids=lambda p: p.stem)
def test_a_composite_case_types_no_number_into_its_prose(case):
    labels = list(load("studies", ROOT).label)
    assert bare_numbers(case.read_text("utf-8"), labels) == []


def test_every_invented_patient_has_its_composite_page():
    pages = {case.stem for case in composites()}
    assert set(load("composite_cases", ROOT).case_id) <= pages


def test_a_published_case_reads_no_invented_patient():
    for case in set(CASES) - set(composites()):
        assert 'load("composite_cases")' not in case.read_text("utf-8"), case.name


def test_the_checks_catch_what_they_look_for():
    page = ("---\nkernelspec: {}\n---\n\n# Composite case: x\n\n"
            "```{code-cell} ipython3\nglue('age', 64)\n```\n\n"
            f"{LABELS['composite']}\n\n"
            "**Decision point 1.** A 64-year-old patient, CD19-negative, ELM-1, "
            "{glue:text}`age:.0f` and {cite:p}`case4-topp2025`: ORR 48.3%, grade 3 or higher "
            "CRS in 4%.\n")
    assert kind(page) == "composite" and opening(page) == LABELS["composite"]
    assert bare_numbers(page) == ["64", "48.3", "4"]
    assert bare_numbers("# T\n\nAs Iacoboni 2024 saw in 2024.", ["Iacoboni 2024"]) == ["2024"]
    with pytest.raises(AssertionError):
        kind(page + LABELS["published"])
