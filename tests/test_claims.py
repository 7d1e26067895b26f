"""Claims as strong as their evidence.

A reader must always be able to tell what a source reports from what the book
infers, and must never meet the words of the book's own production process.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from lbclbook import basis
from lbclbook.toolchain.build import SITE
from lbclbook.data import DataError, load

from conftest import ROOT

READING = "The book's reading"
PAGES = sorted([*(ROOT / "chapters").glob("*.md"), *(ROOT / "cases").glob("*.md")])

# Words of the pipeline that built the book, not of the evidence. Matched
# case-insensitively on the visible text of every built page.
PIPELINE_WORDS = [
    "evidence file", "evidence summary", "from memory", "seed deck", "seed",
    "as extracted", "authors not named", "title not given", "bibliography check",
    "as they land", "as it lands", "forthcoming", "not yet written",
    "verification", "evidence-since-2020", "verified-additions", ".bib",
    "checked only against", "check before use", "not seen",
]
PIPELINE_CODES = re.compile(r"\bV2\b|\(V\)|\bstatus [VM]\b")


class VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles or the hidden search data."""

    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def pipeline_words_in(text: str) -> list[str]:
    lowered = text.lower()
    found = [w for w in PIPELINE_WORDS if re.search(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])", lowered)]
    return found + PIPELINE_CODES.findall(text)


def test_the_pipeline_word_check_finds_what_it_looks_for():
    assert pipeline_words_in("as reported in the evidence file (status V2)") == [
        "evidence file", "V2"]
    assert pipeline_words_in("from the seed, status V") == ["seed", "status V"]
    assert pipeline_words_in("The deck's opening slide; a secondary summary.") == []


def test_no_built_page_speaks_of_the_pipeline(clean_build):
    found = {}
    for page in sorted((clean_build / SITE).rglob("*.html")):
        words = pipeline_words_in(visible_text(page.read_text("utf-8")))
        if words:
            found[page.relative_to(clean_build / SITE).as_posix()] = words
    assert not found, f"process words on pages: {found}"


def key_points(text: str) -> list[str]:
    """The bullets of a page's 'Key points' admonition."""
    block = re.search(r"```\{admonition\} Key points\n(.*?)\n```", text, re.S)
    if not block:
        return []
    body = "\n".join(line for line in block.group(1).splitlines() if not line.startswith(":"))
    return [b.strip() for b in re.split(r"\n- ", "\n" + body) if b.strip()]


@pytest.mark.parametrize("page", [p for p in PAGES if "chapters" in p.parts], ids=lambda p: p.stem)
def test_every_key_point_names_its_source_or_says_it_is_the_books_reading(page):
    bullets = key_points(page.read_text("utf-8"))
    assert len(bullets) >= 3, f"{page.name}: no key points found"
    bare = [b for b in bullets if not has_basis(b)]
    assert not bare, f"{page.name}: key points without a source or a reading marker: {bare}"


def has_basis(claim: str) -> bool:
    """A citation, one of the book's own tables or figures, or the reading marker."""
    return any(mark in claim for mark in ("{cite:", "{numref}", READING))


def test_key_point_check_catches_a_bare_claim():
    text = "```{admonition} Key points\n:class: important\n- Drug X works.\n- Y {cite:p}`a-b`.\n```"
    bullets = key_points(text)
    assert [b for b in bullets if not has_basis(b)] == ["Drug X works."]


def test_every_decision_separates_report_data_and_reading():
    decisions = load("decision_aid", ROOT)
    basis.check(decisions, "decision_aid")
    assert decisions.reported.str.len().gt(20).all()
    assert decisions.reading.str.len().gt(20).all()
    # The numbers come from the basis rows, never typed into the sentences.
    typed = decisions[decisions.reported.str.contains(r"\d+(?:\.\d+)? ?%|\d+ of \d+", regex=True)]
    assert typed.empty, f"numbers typed into decision_aid.reported: {typed.situation_id.tolist()}"


def test_a_basis_that_names_no_row_stops_with_file_row_column_and_rule(in_book):
    decisions = load("decision_aid", in_book)
    decisions.loc[3, "basis"] = "responses|shumilov2025|no such cohort|ORR"
    with pytest.raises(DataError) as raised:
        basis.check(decisions, "decision_aid")
    message = str(raised.value)
    assert "data/decision_aid.csv, row 5, column 'basis'" in message
    assert "basis-names-one-row" in message and "0 rows" in message


def test_a_decision_citing_an_unmapped_study_stops_the_build(in_book):
    decisions = load("decision_aid", in_book)
    decisions.loc[0, "studies"] = "shumilov2025;nosuch2099"
    with pytest.raises(DataError, match=r"row 2, column 'studies': rule 'study-in-evidence-map'"):
        basis.check(decisions, "decision_aid")


def test_basis_summaries_come_from_the_rows_with_counts_where_known(in_book):
    [ref] = basis.parse("adverse_events|topp2025|odronextamab: after CAR-T failure|infections|3 or higher")
    row = basis.resolve(ref)
    assert basis.summary(ref) == f"grade 3 or higher infections {int(row.events)}/{int(row.n)} " \
                                 f"({100 * row.events / row.n:.0f}%)"
    with pytest.raises(ValueError):
        basis.parse("tables|x|y")


def test_two_sources_never_share_a_label():
    studies = load("studies", ROOT)
    assert studies.label.is_unique
    assert {"Zurko 2023a", "Zurko 2023b"} <= set(studies.label)


def test_population_words_follow_the_population_group():
    studies = load("studies", ROOT)
    after = studies[studies.population_group == "after CAR-T failure"]
    assert not after.population.str.contains("mixed|recipients|not stated").any()
    assert pd.notna(studies.set_index("study").at["zurko2023pp", "patients"])
    assert studies.set_index("study").at["zurko2023pp", "population_group"] == "CAR-T recipients"


def test_a_basis_reads_as_one_clause_per_study_and_cohort():
    labels = load("studies", ROOT).set_index("study").label
    cohort = "odronextamab: after CAR-T failure"
    text = basis.describe(f"responses|topp2025|{cohort}|ORR;responses|topp2025|{cohort}|CR", labels)
    assert text.startswith("Topp 2025, after CAR-T failure: ORR ") and ", CR " in text
    assert text.count("Topp 2025") == 1


def answers(text: str) -> list[str]:
    """The bodies of a page's hidden 'Answer' admonitions."""
    return re.findall(r"```\{admonition\} Answer\n:class: dropdown\n(.*?)\n```", text, re.S)


@pytest.mark.parametrize("case", sorted((ROOT / "cases").glob("*.md")), ids=lambda p: p.stem)
def test_every_case_answer_names_its_source_or_says_it_is_the_books_reading(case):
    found = answers(case.read_text("utf-8"))
    assert len(found) >= 2, f"{case.name}: no decision-point answers found"
    bare = [a[:80] for a in found if not has_basis(a)]
    assert not bare, f"{case.name}: answers without a source or a reading marker: {bare}"


def test_a_page_that_reads_a_basis_names_every_table_a_basis_may_cite():
    # The build re-executes a page when a table it loads *by name* changes
    # (lbclbook.sphinxext); basis rows are loaded inside the package, so the
    # page must name their tables itself, or a data edit would leave it stale.
    for page in PAGES:
        text = page.read_text("utf-8")
        if "basis." in text:
            missing = [t for t in basis.WHAT if f'load("{t}")' not in text]
            assert not missing, f"{page.name} reads basis rows but does not load {missing}"
