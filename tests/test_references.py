"""The bibliography: every entry prints only checked fields, reads without
process language, has a label no other entry shares, marks conference
abstracts, and keeps every value the checked sources give (printed, or kept
under a name no style prints)."""

from __future__ import annotations

import csv
import re

import pybtex.database
import pytest
import yaml

from lbclbook.toolchain import bibstyle
from lbclbook.data import references

from conftest import ROOT

SOURCES = ROOT.parent / "shared" / "sources"
SEED_BIB = SOURCES / "seed-references.bib"
UPDATES_BIB = SOURCES / "bib-updates.bib"
DECK = ROOT.parent / "shared" / "seed" / "*.txt"  # the text extracted from the slides

# Fields a style prints (or a citation shows), and fields kept for authors only.
PRINTED = {"author", "editor", "key", "title", "journal", "booktitle", "howpublished",
           "year", "month", "volume", "number", "pages", "doi", "pubmed", "url", "note"}
KEPT = {"verification", "title_partial"}
VENUES = ("journal", "booktitle", "howpublished")

# What each entry's verification calls unverified (M, not seen, not found, from
# memory), in the words of the check below: a field name must not be printed;
# "title" may only be printed as a bracketed description; "co-authors" leaves
# the first author alone before "et al."; "given names" leaves initials;
# "last page" leaves the first page; "authors" leaves no author (the `key`
# labels the entry); "year" must not print the unverified year; "everything"
# is all of these except the year the deck's quoted citation gives.
UNVERIFIED = {
    "chow2019": {"journal", "volume", "number", "pages", "doi", "pubmed", "co-authors"},
    "fried2019": {"volume", "number", "pages", "doi", "pubmed", "given names"},
    "byrne2019": {"co-authors"},
    "schuster2019": {"title", "co-authors", "doi"},
    "sun2015": {"co-authors"},
    "budde2018": {"everything"},
    "bartlett2019": {"everything"},
    "hutchings2020": {"everything"},
    "hill2017": {"everything"},
    "neelapu2017": {"number", "last page", "co-authors", "pubmed"},
    "chong2017": {"number", "last page", "co-authors", "pubmed"},
    "chong2018": {"co-authors"},
    "imber2020": {"title", "journal", "volume", "number", "pages", "co-authors", "doi"},
    "maude2014": {"number", "last page", "co-authors", "pubmed"},
    "shah2020": {"title", "volume", "number", "pages", "co-authors", "pubmed"},
    "salles2020": {"number", "doi", "pubmed"},
    "sehn2020": {"title", "volume", "number", "pages", "doi", "pubmed", "co-authors", "year"},
    "lee2014": {"authors"},
    "cartron2025": {"title"},
    "thieblemont2023": {"title", "volume", "number", "pages", "doi"},
    "bartlett2023": {"volume", "number", "pages", "doi"},
    "zurko2023pp": {"last page", "doi"},
    "rtsalvage2023": {"authors"},
    "tafalen2024": {"authors", "title", "last page", "doi"},
    "gouni2022": {"journal", "volume", "pages", "doi"},
    "topp2025": {"co-authors"},
    "dickinson2022": {"doi"},
}
EVERYTHING = {"authors", "title", "journal", "volume", "number", "pages", "doi"}

NO_VENUE = {"gouni2022"}

ABSTRACTS = {"schuster2019", "budde2018", "bartlett2019", "hutchings2020", "hill2017",
             "chong2018"}

# Words that belong to how the book was checked, not to a reference.
PROCESS = ["from memory", "not seen", "not found", "verification", "verified", "seed",
           "evidence file", "evidence table", "check before use", "[...]", "remainder",
           "unverified", "truncated"]
PROCESS_CASED = [re.compile(r"\bV2\b"), re.compile(r"\bM\)"), re.compile(r"\(M\b")]


@pytest.fixture(scope="module")
def bib():
    data = references(ROOT)
    bibstyle.use_bibliography(data)
    return data


def printed(entry) -> dict[str, str]:
    fields = {name.lower(): value for name, value in entry.fields.items()
              if name.lower() in PRINTED}
    for role, persons in entry.persons.items():
        fields[role.lower()] = " and ".join(str(p) for p in persons)
    return fields


def named(entry) -> list:
    return [p for p in entry.persons.get("author", []) if str(p) != "others"]


# --------------------------------------------------------------------------
# Every entry


def test_every_entry_records_how_it_was_verified(bib):
    missing = [key for key, entry in bib.entries.items()
               if not entry.fields.get("verification")]
    assert not missing


def test_every_field_is_either_printed_or_kept_for_authors(bib):
    unknown = [(key, name) for key, entry in bib.entries.items() for name in entry.fields
               if name.lower() not in PRINTED | KEPT and not name.lower().endswith("_unverified")]
    assert not unknown


def test_every_entry_has_a_label_a_title_a_year_and_a_venue(bib):
    for key, entry in bib.entries.items():
        assert named(entry) or entry.fields.get("key"), key
        assert entry.fields.get("title"), key
        assert re.fullmatch(r"(19|20)\d\d", entry.fields.get("year", "")), key
        assert any(entry.fields.get(v) for v in VENUES) or key in NO_VENUE, key
    for key in NO_VENUE:
        assert bib.entries[key].type == "misc" and "journal" in UNVERIFIED[key], key


def test_no_unverified_field_is_printed(bib):
    assert set(UNVERIFIED) <= set(bib.entries)
    for key, tokens in UNVERIFIED.items():
        entry, shown = bib.entries[key], printed(bib.entries[key])
        if "everything" in tokens:
            tokens = tokens | EVERYTHING
            assert "cited in the slide deck as" in shown.get("howpublished", ""), key
        for token in tokens - {"everything"}:
            if token == "title":
                assert "[" in shown["title"] and shown["title"].endswith("]"), key
            elif token == "authors":
                assert "author" not in shown and shown.get("key"), key
            elif token == "co-authors":
                assert len(named(entry)) == 1 and str(entry.persons["author"][-1]) == "others", key
            elif token == "given names":
                given = [n for p in named(entry) for n in p.first_names + p.middle_names]
                assert given and all(re.fullmatch(r"[A-Z]\.", n) for n in given), key
            elif token == "last page":
                assert "-" not in shown.get("pages", ""), key
            elif token == "year":
                assert shown["year"] != entry.fields.get("year_unverified"), key
            else:
                assert token not in shown, (key, token)


def test_no_value_kept_as_unverified_is_also_printed(bib):
    for key, entry in bib.entries.items():
        shown = printed(entry)
        for name, value in entry.fields.items():
            base = name.lower().removesuffix("_unverified")
            if name.lower().endswith("_unverified") and base in shown:
                assert shown[base] != value, (key, name)


# "M" as a status, not as an initial ("Chow VA") or a name part ("M3").
MARKERS = re.compile(r"(?<![\w/])M(?![\w])|not seen|not found|from memory|unverified|"
                     r"not verified", re.IGNORECASE)
TOKENS = [("co-authors", r"co-?authors"), ("authors", r"\bauthors?\b"),
          ("given names", r"given names"), ("title", r"\btitle"), ("journal", r"\bjournal\b"),
          ("volume", r"\bvolume\b"), ("number", r"\bissue\b"), ("last page", r"last page"),
          ("pages", r"\bpages\b|abstract number"), ("doi", r"\bdoi\b"),
          ("pubmed", r"\bPMID\b"), ("year", r"\byear\b"), ("everything", r"\beverything\b")]


def flagged(verification: str) -> set[str]:
    """The fields the latest check calls unverified, read from its own words.

    Only the latest check counts (the text before "Earlier check:" and the
    book's own note "Book:"). A clause that names where the value comes from
    instead (the evidence table) does not flag it.
    """
    latest = re.split(r"Earlier check:|Book:", verification)[0]
    found = set()
    for clause in re.split(r"(?<=\.)\s+(?=[A-Z])|;", latest):
        if not MARKERS.search(clause) or "evidence table" in clause:
            continue
        text = clause
        for token, pattern in TOKENS:
            if re.search(pattern, text, re.IGNORECASE):
                found.add(token)
                text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return found


def test_the_list_of_unverified_fields_covers_what_each_verification_says(bib):
    missed = {}
    for key, entry in bib.entries.items():
        listed = UNVERIFIED.get(key, set())
        listed = listed | EVERYTHING if "everything" in listed else listed
        said = flagged(entry.fields["verification"]) - listed
        if said:
            missed[key] = said
    assert not missed


def test_no_printed_field_uses_process_language(bib):
    for key, entry in bib.entries.items():
        texts = [*printed(entry).values(), bibstyle.reference_text(entry),
                 bibstyle.citation_text(entry, "p"), bibstyle.citation_text(entry, "t")]
        for text in texts:
            lowered = text.lower()
            assert not [w for w in PROCESS if w in lowered], (key, text)
            assert not [p.pattern for p in PROCESS_CASED if p.search(text)], (key, text)


# --------------------------------------------------------------------------
# Labels and abstracts, as the book's styles render them


def test_no_two_entries_share_an_author_year_label(bib):
    seen = {}
    for key, entry in bib.entries.items():
        label = bibstyle.citation_text(entry, "p")
        assert label not in seen, (key, seen.get(label), label)
        seen[label] = key
    assert len(set(bibstyle.labels(bib).values())) == len(bib.entries)


def test_the_two_zurko_papers_read_2023a_and_2023b_everywhere(bib):
    allo, practice = bib.entries["zurko2023"], bib.entries["zurko2023pp"]
    assert bibstyle.citation_text(allo, "p") == "[Zurko et al., 2023a]"
    assert bibstyle.citation_text(practice, "p") == "[Zurko et al., 2023b]"
    assert bibstyle.citation_text(practice, "t") == "Zurko et al. [2023b]"
    assert bibstyle.reference_text(allo).endswith(
        "Haematologica. 2023a;108(1):98–109. doi:10.3324/haematol.2022.281242. PMID:\u00a035833303.")
    assert "Blood Advances. 2023b;7(12):2657." in bibstyle.reference_text(practice)
    assert bibstyle.labels(bib)["zurko2023"] == "Zurko et al. 2023a"
    assert bib.entries["zurko2023"].fields["year"] == "2023"  # the letter is the style's


def test_a_letter_follows_the_titles_alphabetical_order():
    bib = pybtex.database.parse_string(
        "@article{b, author={Doe, A. and others}, title={Beta}, journal={J}, year={2020}}\n"
        "@article{a, author={Doe, B. and Roe, C. and Poe, D.}, title={Alpha}, journal={J},"
        " year={2020}}\n"
        "@article{c, author={Doe, A.}, title={Gamma}, journal={J}, year={2020}}\n", "bibtex")
    assert bibstyle.labels(bib) == {"b": "Doe et al. 2020b", "a": "Doe et al. 2020a",
                                    "c": "Doe 2020"}


# --------------------------------------------------------------------------
# The reference lists' layout: Vancouver, as the NLM's Citing Medicine sets it


def entry(bibtex: str):
    return next(iter(pybtex.database.parse_string(bibtex, "bibtex").entries.values()))


SEVEN = ("Alpha, Ann B. and Beta, C. and Gamma, Dee-Ann and Delta, E. F. and Epsilon, G. "
         "and Zeta, H. and Eta, I.")


def test_a_reference_reads_authors_title_journal_year_volume_issue_pages_doi_pmid():
    text = bibstyle.reference_text(entry(
        "@article{x, author={Di Blasi, Roberta and van der Poel, Marjolein and Chen, Pei-Hsuan},"
        " title={A study}, journal={Blood}, year={2022}, volume={140}, number={24},"
        " pages={2584--2593}, doi={10.1/x}, pubmed={123}}"))
    assert text == ("Di Blasi R, van der Poel M, Chen PH. A study. Blood. 2022;140(24):2584–93."
                    " doi:10.1/x. PMID:\u00a0123.")


def test_more_than_six_authors_print_the_first_six_then_et_al():
    six = SEVEN.rsplit(" and ", 1)[0]
    seven = bibstyle.reference_text(entry(f"@article{{x, author={{{SEVEN}}}, title={{T}},"
                                          " journal={J}, year={2020}}"))
    assert seven.startswith("Alpha AB, Beta C, Gamma DA, Delta EF, Epsilon G, Zeta H, et al. T.")
    exactly_six = bibstyle.reference_text(entry(f"@article{{x, author={{{six}}}, title={{T}},"
                                                " journal={J}, year={2020}}"))
    assert exactly_six.startswith("Alpha AB, Beta C, Gamma DA, Delta EF, Epsilon G, Zeta H. T.")


def test_a_list_cut_short_ends_in_et_al_and_never_prints_others(bib):
    cut = bibstyle.reference_text(entry(
        "@article{x, author={Chow, Victor A. and others}, title={T}, journal={J}, year={2019}}"))
    assert cut.startswith("Chow VA, et al. T.")
    for key, item in bib.entries.items():
        if "author" in item.persons:
            names = bibstyle.vancouver_authors(item.persons["author"])
            assert bibstyle.reference_text(item).startswith(names), key
            assert "others" not in names and " and " not in names, key


def test_page_ranges_drop_the_digits_the_last_page_repeats():
    assert bibstyle.page_range("1145--1154") == "1145–54"
    assert bibstyle.page_range("e344--e351") == "e344–51"
    assert bibstyle.page_range("98--109") == "98–109"
    assert bibstyle.page_range("2657") == "2657"
    assert bibstyle.issue_date({"year": "2023", "month": "April"}) == "2023 Apr"


def test_entries_without_authors_read_by_their_key(bib):
    for key in ("rtsalvage2023", "tafalen2024", "lee2014", "seed_deck", "budde2018"):
        entry = bib.entries[key]
        label = bibstyle.citation_text(entry, "p")
        assert label == f"[{entry.fields['key']}, {entry.fields['year']}]", key
        title = bibstyle.plain(entry.fields["title"])
        assert bibstyle.reference_text(entry).lower().startswith(title.lower()), key


def test_conference_abstracts_are_marked_as_abstracts(bib):
    supplements = {key for key, entry in bib.entries.items()
                   if any(re.search(r"suppl", entry.fields.get(name, ""), re.IGNORECASE)
                          for name in ("number", "number_unverified", "howpublished"))}
    assert supplements == ABSTRACTS
    for key in ABSTRACTS:
        assert "Conference abstract" in bibstyle.reference_text(bib.entries[key]), key


# --------------------------------------------------------------------------
# The book uses these styles


def test_the_book_is_configured_with_the_label_styles(bib):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]
    assert "lbclbook.toolchain.bibstyle" in sphinx["extra_extensions"]
    bibstyle.register()
    import pybtex.plugin
    from sphinxcontrib.bibtex.plugin import find_plugin

    formatting = pybtex.plugin.find_plugin(
        "pybtex.style.formatting", sphinx["config"]["bibtex_default_style"])()
    referencing = find_plugin("sphinxcontrib.bibtex.style.referencing",
                              sphinx["config"]["bibtex_reference_style"])
    assert isinstance(formatting, bibstyle.Style)
    assert referencing is bibstyle.reference_style()


def test_every_citation_in_the_book_has_an_entry(bib):
    keys = set(bib.entries)
    for page in [ROOT / "intro.md", *sorted((ROOT / "chapters").glob("*.md"))]:
        prefix = re.search(r":keyprefix: (\S+)", page.read_text())
        for cited in re.findall(r"\{cite:[a-z]+\}`([^`]+)`", page.read_text()):
            for key in cited.split(","):
                key = key.strip().removeprefix(prefix.group(1) if prefix else "")
                assert key in keys, f"{page.name} cites {key!r}"


# --------------------------------------------------------------------------
# The deck's citation errors (data/deck_errata.csv)


def errata() -> list[dict[str, str]]:
    with (ROOT / "data" / "deck_errata.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_references_print_what_the_errata_call_correct(bib):
    rows = errata()
    assert rows
    for row in rows:
        entry = bib.entries[row["study"]]
        shown = {name: bibstyle.plain(value) for name, value in printed(entry).items()}
        expected = {
            "first author": lambda: bibstyle.surname(named(entry)[0]),
            "pages": lambda: shown["pages"],
            "volume": lambda: shown["volume"],
            "supplement": lambda: shown["number"],
            "year": lambda: shown["year"],
            "drug name": lambda: shown["title"].split()[0].lower(),
        }[row["field"]]()
        assert expected in row["corrected"], (row["study"], row["field"], expected)


def test_the_errata_name_their_sources_as_a_reader_would(bib):
    for row in errata():
        words = row["source"].lower()
        assert not [w for w in ("seed", "evidence file", "verification", "from memory",
                                "not seen") if w in words], row
        assert not re.search(r"\b(V|V2|M)\b", row["source"]), row


@pytest.mark.skipif(not DECK.parent.exists(), reason="../shared is not beside the book")
def test_every_erratum_quotes_what_the_deck_printed():
    deck = "\n".join(path.read_text("utf-8") for path in sorted(DECK.parent.glob(DECK.name)))
    missing = [row["deck_printed"] for row in errata() if row["deck_printed"] not in deck]
    assert not missing


# --------------------------------------------------------------------------
# The checked sources, where they are beside the book


def _authors(entry) -> str:
    return " and ".join(str(p) for p in entry.persons.get("author", []))


@pytest.mark.skipif(not (SEED_BIB.exists() and UPDATES_BIB.exists()),
                    reason="../shared is not beside the book")
def test_every_value_the_checked_sources_give_is_kept(bib):
    seed = pybtex.database.parse_file(str(SEED_BIB))
    updates = pybtex.database.parse_file(str(UPDATES_BIB))
    for key in [*seed.entries, *updates.entries]:
        source = updates.entries.get(key) or seed.entries[key]  # bib-updates.bib stands
        book = bib.entries[key]
        kept = {name.lower(): value for name, value in book.fields.items()}
        assert _authors(source) in (_authors(book), kept.get("author_unverified", "")), key
        for name, value in source.fields.items():
            name = name.lower()
            if name == "verification":
                assert value in book.fields["verification"], key
                if key in seed.entries:
                    assert seed.entries[key].fields["verification"] in kept[name], key
            elif name == "title" and re.search(r"\[[^]]*not seen[^]]*\]", value):
                seen = re.sub(r"\s*\[[^]]*\]", "", value)
                assert kept["title"].startswith(seen) and kept["title_partial"] == seen, key
            else:
                assert value in (kept.get(name), kept.get(f"{name}_unverified")), (key, name)


def test_every_glossary_term_is_linked_at_its_first_use_in_each_chapter():
    from lbclbook import glossary

    terms = glossary.terms(ROOT)
    for page in sorted((ROOT / "chapters").glob("*.md")):
        _, unlinked = glossary.link_first_uses(page.read_text(), terms)
        assert not unlinked, f"{page.name}: run python -m lbclbook.glossary ({unlinked})"
