"""The book's bibliography styles: author-year citations that never collide,
reference lists in the Vancouver style of medical journals.

Two plugins, selected in ``_config.yml``::

    bibtex_default_style: lbcl                # the reference lists
    bibtex_reference_style: lbcl_author_year  # the citations in the text

and registered when Sphinx loads this module as an extension
(``lbclbook.toolchain.bibstyle`` in ``sphinx.extra_extensions``). The same
styles set the web pages and the chapter PDFs.

1. **Reference lists in the Vancouver style**, as the NLM's *Citing
   Medicine* sets it: "Surname AB, Surname CD, et al. Title. Journal.
   Year;Volume(Issue):Pages. doi:... PMID: ...". Authors follow the ICMJE's
   rule: up to six are listed; a seventh or more, or a list the sources cut
   short ("and others"), ends in "et al." after the sixth (or the last named).
   Page ranges drop the digits the last page repeats (1145–54). The list is
   sorted by author and year, as the author-year citations need.
2. **Letters after the year.** Two entries whose citations would read the
   same ("Zurko et al., 2023") get "2023a" and "2023b", in the citations and
   in the reference lists alike, lettered in the alphabetical order of their
   titles. The letters are worked out over the whole bibliography, so a
   chapter that cites only one of the two still prints its letter. The
   ``year`` field stays a number.
3. **Entries without a verified author** carry BibTeX's ``key`` field (as
   natbib uses it): the citation prints it in place of the authors ("Salvage
   RT series, 2023"), the reference list starts with the title and sorts the
   entry by its ``key``.
4. **"and others"** in an author list prints as "et al." in citations too,
   so every citation of three or more authors, or of a list cut short, reads
   "First et al.".

``labels()`` gives the citation label of every entry as the book prints it,
for hand-made tables and figure labels.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from functools import lru_cache

import pybtex.database
import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlainTextBackend
from pybtex.richtext import Text
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.sorting.author_year_title import SortingStyle as AuthorYearTitleSorting
from pybtex.style.template import (
    FieldIsMissing,
    field as bibfield,
    href,
    join as pjoin,
    node,
    optional,
    optional_field,
    sentence,
    tag,
)

FORMATTING = "lbcl"
REFERENCING = "lbcl_author_year"
NO_YEAR = "n.d."

_suffixes: dict[str, str] | None = None  # entry key -> "a", "b", ...


# --------------------------------------------------------------------------
# Labels: the same rule for the citations, the reference lists and labels()


def _is_others(person) -> bool:
    return str(person) == "others"


# One plain-text backend for every field: ``Text.render_as("text")`` looks the
# backend up among the installed packages' entry points on each call, which
# was most of a build's reading time (about 1,400 calls per build).
_PLAIN_TEXT = PlainTextBackend()


@lru_cache(maxsize=None)
def plain(latex: str) -> str:
    """A field's LaTeX as the text a reader sees ("Peri--{CAR-T}" -> "Peri–CAR-T")."""
    return Text.from_latex(latex).render(_PLAIN_TEXT) if latex else ""


def surname(person) -> str:
    """A person's surname as printed ("Di Blasi", "van der Poel")."""
    return plain(" ".join(person.prelast_names + person.last_names))


def name_label(entry: pybtex.database.Entry) -> str:
    """What a citation prints before the year: "Chow et al.", "Sotillo et
    al.", "Salvage RT series" (the ``key`` of an entry without authors)."""
    persons = entry.persons.get("author") or entry.persons.get("editor")
    if persons:
        named = [p for p in persons if not _is_others(p)]
        if len(named) == 1 and len(persons) == 1:
            return surname(named[0])
        if len(named) == 2 and len(persons) == 2:
            return f"{surname(named[0])} and {surname(named[1])}"
        return f"{surname(named[0])} et al."
    if entry.fields.get("key"):
        return plain(entry.fields["key"])
    return plain(entry.fields.get("title", ""))


def _title_order(entry: pybtex.database.Entry) -> str:
    return re.sub(r"[^a-z0-9 ]", "", plain(entry.fields.get("title", "")).lower())


def year_suffixes(bib: pybtex.database.BibliographyData) -> dict[str, str]:
    """{key: letter} for every entry whose name and year another entry shares."""
    groups: dict[tuple[str, str], list[tuple[str, pybtex.database.Entry]]] = {}
    for key, entry in bib.entries.items():
        entry_key = entry.key or key
        groups.setdefault((name_label(entry), entry.fields.get("year", "")), []).append(
            (entry_key, entry))
    suffixes = {}
    for members in groups.values():
        if len(members) > 1:
            ordered = sorted(members, key=lambda m: (_title_order(m[1]), m[0]))
            for letter, (entry_key, _) in zip(string.ascii_lowercase, ordered):
                suffixes[entry_key] = letter
    return suffixes


def use_bibliography(bib: pybtex.database.BibliographyData) -> None:
    """Letter the years over ``bib`` (the build calls this with every entry)."""
    global _suffixes
    _suffixes = year_suffixes(bib)


def _suffix(entry: pybtex.database.Entry) -> str:
    global _suffixes
    if _suffixes is None:  # outside the build: the book's own references.bib
        try:
            from ..data import references

            use_bibliography(references())
        except (FileNotFoundError, OSError):
            _suffixes = {}
    return _suffixes.get(entry.key, "")


def year_label(entry: pybtex.database.Entry, suffixes: dict[str, str] | None = None) -> str:
    """The year as printed: "2023", "2023a", or "n.d." without a year.

    The letter comes from ``suffixes`` (see :func:`year_suffixes`), by default
    from the bibliography the build (or :func:`use_bibliography`) set.
    """
    year = entry.fields.get("year")
    if not year:
        return NO_YEAR
    return year + (suffixes.get(entry.key, "") if suffixes is not None else _suffix(entry))


def labels(bib: pybtex.database.BibliographyData | None = None) -> dict[str, str]:
    """{key: "Zurko et al. 2023a"}: every entry's citation label (the book
    prints it "Zurko et al., 2023a" in brackets, "Zurko et al. [2023a]" in
    running text). Without ``bib``, the book's references.bib."""
    if bib is None:
        from ..data import references

        bib = references()
    suffixes = year_suffixes(bib)
    return {key: f"{name_label(entry)} {year_label(entry, suffixes)}"
            for key, entry in bib.entries.items()}


# --------------------------------------------------------------------------
# Reference lists: Vancouver, as the NLM's "Citing Medicine" sets it


# The ICMJE's and NLM's rule: list the first six authors, then "et al."
MAX_AUTHORS = 6


def vancouver_name(person) -> str:
    """"Chow VA", "Di Blasi R", "van der Poel M", "Chen PH" (Pei-Hsuan): the
    surname, then the initials of the given names without stops or spaces."""
    pieces = [piece for name in person.first_names + person.middle_names
              for piece in re.split(r"[-\s.]+", plain(name)) if piece]
    initials = "".join(piece[0].upper() for piece in pieces)
    lineage = plain(" ".join(person.lineage_names))
    return " ".join(part for part in (surname(person), initials, lineage) if part)


def vancouver_authors(persons) -> str:
    """"Salles G, Duell J, González Barca E, et al.": up to six names, then
    "et al." when there are more, or when the list is cut short ("and others")."""
    named = []
    for person in persons:
        if _is_others(person):
            break  # names after a cut are not the next authors: they are left out
        named.append(person)
    cut = len(named) < len(persons) or len(named) > MAX_AUTHORS
    shown = ", ".join(vancouver_name(p) for p in named[:MAX_AUTHORS])
    return f"{shown}, et al." if cut else shown


def page_range(pages: str) -> str:
    """The NLM's page range: the digits the last page repeats are dropped
    ("1145–54", "e344–51", "98–109")."""
    parts = [part.strip() for part in re.split(r"-+|\u2013|\u2014", plain(pages)) if part.strip()]
    if len(parts) != 2:
        return plain(pages)
    first, last = parts
    if len(first) == len(last):
        same = 0
        while same < len(last) - 1 and first[same] == last[same]:
            same += 1
        last = last[same:]
    return f"{first}\u2013{last}"


def issue_date(fields) -> str:
    """"2019;94(8):E209–13", "2023b;7(12):2657", "2023 Apr": the year (with
    its letter) and month, then the volume, issue and pages, as far as known."""
    date = " ".join(filter(None, [plain(fields.get("year", "")),
                                  plain(fields.get("month", ""))[:3]]))
    volume, issue = plain(fields.get("volume", "")), plain(fields.get("number", ""))
    where = volume + (f"({issue})" if issue else "")
    if fields.get("pages"):
        where += f":{page_range(fields['pages'])}"
    return f"{date};{where}" if where else date


@node
def _authors(children, context, role):
    assert not children
    persons = context["entry"].persons.get(role)
    if not persons:
        raise FieldIsMissing(role, context["entry"])
    return Text(vancouver_authors(persons))


@node
def _issue_date(children, context):
    assert not children
    return Text(issue_date(context["entry"].fields))


class _Sorting(AuthorYearTitleSorting):
    """Author, year, title; an entry without authors sorts by its ``key``."""

    def sorting_key(self, entry):
        author, year, title = super().sorting_key(entry)
        if not author and entry.fields.get("key"):
            author = plain(entry.fields["key"]).lower()
        return author, year, title


class Style(PlainStyle):
    """Vancouver reference lists (the NLM's layout), sorted by author and
    year for the author-year citations, with lettered years and ``key``::

        Zurko J, et al. Allogeneic transplant following CAR T-cell therapy for
        large B-cell lymphoma. Haematologica. 2023a;108(1):98–109.
        doi:10.3324/haematol.2022.281242. PMID: 35833303.

    The journal's name is printed in full, as the sources give it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort = _Sorting().sort

    def format_names(self, role, as_sentence=True):
        formatted = _authors(role)
        return sentence[formatted] if as_sentence else formatted

    def get_article_template(self, e):
        return toplevel[
            optional[self.format_names("author")],
            self.format_title(e, "title"),
            sentence[bibfield("journal")],
            sentence[_issue_date],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def get_misc_template(self, e):
        return toplevel[
            optional[self.format_names("author")],
            optional[self.format_title(e, "title")],
            sentence[optional_field("howpublished")],
            sentence[_issue_date],
            sentence[optional_field("note")],
            self.format_web_refs(e),
        ]

    def format_web_refs(self, e):
        """"doi:10.1182/blood.2024027044. PMID: 39786390.", each a link."""
        return toplevel[
            optional[sentence[self.format_doi(e)]],
            optional[sentence[self.format_pubmed(e)]],
            optional[sentence["Available from: ", self.format_url(e)]],
        ]

    def format_pubmed(self, e):
        url = pjoin["https://www.ncbi.nlm.nih.gov/pubmed/", bibfield("pubmed", raw=True)]
        return href(url)[pjoin["PMID:\u00a0", bibfield("pubmed", raw=True)]]

    def format_url(self, e):
        url = bibfield("url", raw=True)
        return href(url)[url]

    def format_entry(self, label, entry, bib_data=None):
        return super().format_entry(label, _with_year_label(entry), bib_data=bib_data)


def _with_year_label(entry: pybtex.database.Entry) -> pybtex.database.Entry:
    suffix = _suffix(entry)
    if not suffix or not entry.fields.get("year"):
        return entry
    fields = pybtex.database.OrderedCaseInsensitiveDict(entry.fields)
    fields["year"] = entry.fields["year"] + suffix
    copy = pybtex.database.Entry(entry.type, fields=fields, persons=entry.persons)
    copy.key = entry.key
    return copy


# --------------------------------------------------------------------------
# Citations: sphinxcontrib-bibtex's author_year with the same labels


@lru_cache(maxsize=None)
def reference_style():
    """The citation style class (sphinxcontrib-bibtex is imported only here)."""
    from sphinxcontrib.bibtex.style.referencing import (
        BracketStyle,
        GroupReferenceStyle,
        PersonStyle,
    )
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle as Parenthetical,
        BasicAuthorYearTextualReferenceStyle as Textual,
    )
    from sphinxcontrib.bibtex.style.referencing.extra_author import (
        ExtraAuthorReferenceStyle as AuthorOnly,
    )
    from sphinxcontrib.bibtex.style.referencing.extra_empty import ExtraEmptyReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.extra_label import ExtraLabelReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.extra_year import (
        ExtraYearReferenceStyle as YearOnly,
    )
    from sphinxcontrib.bibtex.style.template import (
        join,
        join2,
        names,
        post_text,
        pre_text,
        reference,
    )

    @node
    def year(children, data):
        assert not children
        return Text(year_label(data["entry"]))

    @node
    def author_or_key(children, data, full=False):
        """Authors ("Zurko et al."), else the entry's ``key``, else its title."""
        assert not children
        entry = data["entry"]
        person = data["style"].person
        role = next((r for r in ("author", "editor") if entry.persons.get(r)), None)
        if role is None:
            label = plain(entry.fields.get("key", ""))
            if label.endswith(" et al.") and person.other:  # as the authors' "et al."
                return Text(label.removesuffix(" et al."), person.other)
            if label:
                return Text(label)
            return tag("em")[bibfield("title")].format_data(data)
        people = entry.persons[role]
        named = [p for p in people if not _is_others(p)]
        cut = len(named) < len(people)
        if full or (len(named) <= 2 and not cut):
            shown = pybtex.database.Entry(entry.type, persons={role: named})
            text = names(role, sep=person.sep, sep2=person.sep2, last_sep=person.last_sep
                         ).format_data({**data, "entry": shown})
            return Text(text, person.other) if cut and person.other else text
        first = person.style_plugin.format(named[0], person.abbreviate).format_data(data)
        return Text(first, person.other or "")

    @dataclass
    class _Parenthetical(Parenthetical):
        def inner(self, role_name):
            return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                pre_text,
                reference[join(sep=self.author_year_sep)[
                    author_or_key(full="s" in role_name), year]],
                post_text,
            ]

    @dataclass
    class _Textual(Textual):
        def inner(self, role_name):
            return join(sep=self.text_reference_sep)[
                author_or_key(full="s" in role_name),
                join[
                    self.bracket.left,
                    join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                        pre_text, reference[year], post_text],
                    self.bracket.right,
                ],
            ]

    @dataclass
    class _AuthorOnly(AuthorOnly):
        def inner(self, role_name):
            return reference[author_or_key(full="s" in role_name)]

    @dataclass
    class _YearOnly(YearOnly):
        def inner(self, role_name):
            return reference[year]

    @dataclass
    class ReferenceStyle(GroupReferenceStyle):
        """sphinxcontrib-bibtex's ``author_year`` with the book's labels."""

        bracket_textual: BracketStyle = field(default_factory=BracketStyle)
        bracket_parenthetical: BracketStyle = field(default_factory=BracketStyle)
        bracket_author: BracketStyle = field(default_factory=BracketStyle)
        bracket_label: BracketStyle = field(default_factory=BracketStyle)
        bracket_year: BracketStyle = field(default_factory=BracketStyle)
        person: PersonStyle = field(default_factory=PersonStyle)
        author_year_sep: object = ", "
        text_reference_sep: object = " "
        pre_text_sep: object = " "
        post_text_sep: object = ", "

        def __post_init__(self):
            self.styles.extend([
                _Parenthetical(bracket=self.bracket_parenthetical, person=self.person,
                               author_year_sep=self.author_year_sep,
                               pre_text_sep=self.pre_text_sep,
                               post_text_sep=self.post_text_sep),
                _Textual(bracket=self.bracket_textual, person=self.person,
                         text_reference_sep=self.text_reference_sep,
                         pre_text_sep=self.pre_text_sep, post_text_sep=self.post_text_sep),
                _AuthorOnly(bracket=self.bracket_author, person=self.person),
                ExtraLabelReferenceStyle(bracket=self.bracket_label),
                _YearOnly(bracket=self.bracket_year),
                ExtraEmptyReferenceStyle(),
            ])
            super().__post_init__()

    return ReferenceStyle


def register() -> None:
    """Make both styles known to pybtex and sphinxcontrib-bibtex by name."""
    from sphinxcontrib.bibtex.plugin import register_plugin

    # pybtex finds a plugin by scanning every installed package's entry points,
    # on every call (sphinxcontrib-bibtex asks once per citation): remember the
    # scans, which cannot change while a build runs. Plugins registered at run
    # time (ours, below) are looked up before the scan, so they still win.
    if not hasattr(pybtex.plugin.entry_points, "cache_info"):
        pybtex.plugin.entry_points = lru_cache(maxsize=None)(pybtex.plugin.entry_points)

    pybtex.plugin.register_plugin("pybtex.style.formatting", FORMATTING, Style, force=True)
    register_plugin("sphinxcontrib.bibtex.style.referencing", REFERENCING, reference_style(),
                    force=True)


def citation_text(entry: pybtex.database.Entry, role: str = "p") -> str:
    """A citation of ``entry`` as the book prints it, as plain text
    (``role`` as in ``{cite:p}``, ``{cite:t}``): for tests and labels."""
    from types import SimpleNamespace

    import docutils.nodes
    import pybtex_docutils
    from sphinxcontrib.bibtex.style.referencing import format_references
    from sphinxcontrib.bibtex.style.template import SphinxReferenceInfo

    info = SphinxReferenceInfo(builder=SimpleNamespace(name="latex"), fromdocname="",
                               todocname="", citation_id="", title=None, pre_text="",
                               post_text="")
    text = format_references(reference_style()(), role, [(entry, None, info)])
    rendered = text.render(pybtex_docutils.Backend())
    return "".join(n.astext() for n in rendered if not isinstance(n, docutils.nodes.raw))


def reference_text(entry: pybtex.database.Entry) -> str:
    """The entry as a reference list prints it, as plain text."""
    return Style().format_entry("", entry).text.render_as("text")


# --------------------------------------------------------------------------
# Sphinx


def _letter_years(app) -> None:
    """Letter the years over every entry of the book's bib files."""
    use_bibliography(app.env.get_domain("cite").bibdata.data)


def setup(app):
    register()
    # After sphinxcontrib-bibtex has read the bib files (its own handler).
    app.connect("builder-inited", _letter_years, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

