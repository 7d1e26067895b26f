"""Every abbreviation a reader meets is in the glossary, one term per concept.

Three kinds of test:

- sources (fast, no build): the reader-facing sources (prose, the text that
  code cells put on the page, the cells of the data tables that pages print,
  and the data dictionary the appendix prints) are scanned for words that
  look like abbreviations; each must be a glossary term or an allowed name
  or unit (``ALLOWED`` below, with its rule);
- built pages (test names contain "built"; they need the session build
  ``clean_build``, so ``pytest -k "not built"`` runs the rest without
  building): the same comparison on the visible text of the built pages;
- one term per concept: the glossary has no duplicate terms, and no page
  uses a banned synonym of a glossary term (the book writes HCT and
  allogeneic HCT, never HSCT, SCT or alloSCT) except inside a quotation of
  what a source printed.

A word "looks like an abbreviation" when it has two or more capital letters
(CR, PD-1, trFL), a capital after a small letter (kDa, IgG, BsAb), or a
capital next to a digit (EQD2, GO29781, CD19). A word joined by hyphens or
slashes (CD19-negative, Pola-BR, R/R) is known when the whole is a term, or
else part by part, the longest known run first.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tokenize
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pybtex.database

from conftest import ROOT

# --------------------------------------------------------------------------
# What a reader reads.

PAGE_GLOBS = ["chapters/*.md", "cases/*.md", "intro.md", "teachers.md",
              "appendix/*.md", "glossary.md"]
BUILT_PAGE_GLOBS = ["chapters/*.html", "cases/*.html", "intro.html", "teachers.html",
                    "appendix/*.html"]  # the glossary page itself is not scanned

# Columns of the data tables that no page prints: the study key and the row
# ids (pages print the study's label instead), and where a row comes from
# (``source`` is for the editors; pages cite the study). Every other text
# cell may reach a table on some page (the appendix prints the notes it
# lists as readings of the source text).
NOT_PRINTED_COLUMNS = {"study", "source"}
NOT_PRINTED_SUFFIXES = ("_id",)

# The glossary page prints each term with its expansion, definition and
# source: an abbreviation used in any of the last three needs its own entry.
GLOSSARY_PRINTED = ("expansion", "definition", "source")

# --------------------------------------------------------------------------
# Names and units that need no glossary entry. The rule: a word is allowed
# here when it is a NAME (of a trial, a study group, a centre, a meeting, a
# drug code, a company, a platform, a gene or molecule used as its name), a
# UNIT, a statistical method named after people, a file format or software
# name, or a source's own label that the data note quoting it explains. A
# reader looks such a word up by the name itself; an expansion would not
# explain it. Everything a reader must decode to follow the medicine or the
# statistics (CR, BR, LDH, ECOG, PCR, CI, HR, ...) goes in the glossary.
# Authors' surnames (McGuirk, DiBlasi) and the initials printed after them
# (Grupp SA) are names too: they come from references.bib, so a new
# reference brings its names with it.

ALLOWED = {
    # Trials, registries and study names (named in their chapters).
    "ELM-1", "ELM-2", "GO29781", "L-MIND", "LOTIS-2", "DESCAR-T", "ZUMA-1", "BiCAR",
    "EPCORE", "NHL-1",  # EPCORE NHL-1
    "LV20.19",          # Shah 2020's LV20.19 trial (the product's name)
    "CART19",           # the CD19 CAR-T product of Chong 2017 ("CART19 cells")
    "CAR-T19",          # the same product as Chong 2017's title writes it
    "GLA/DRST",         # the German study group's name in Holtick 2025
    "MSKCC",            # Memorial Sloan Kettering Cancer Center, a centre's name
    "ASH",              # the American Society of Hematology's meeting, a name
    "ASCO",             # the ASCO Post, a publication's name
    "US",               # the United States (the US prescribing information), a country's name
    "eviQ",             # the cancer-treatment reference that reports Sehn 2020, a name
    # Drug and product codes (names of molecules, not abbreviations).
    "AFM11", "AMG562", "FBTA05", "GEN3013", "MGD011", "MOR208", "RG6026",
    "RG7828", "RGN1979", "BTCT4465A", "JCAR017", "DuoBody",
    # Companies (sponsors in the bispecific construct table).
    "Genentech/Roche", "Roche/Genentech", "Trion/Fresenius",
    # Genes and molecules used by their names.
    "MYC", "4-1BB",
    # Units.
    "Gy", "kDa", "mg/mL",
    # Statistical methods named after people.
    "Clopper-Pearson", "Jonckheere-Terpstra",
    # File formats and software the teachers' page and the appendix name.
    "CSV", "PNG", "SVG", "PDF", "HTML", "BibTeX", "DataFrame", "DOI",
    "RIS", "CSL-JSON",  # citation file formats, offered by every how-to-cite block
    "PowerPoint", "LibreOffice", "A4",  # the chapters' slides and handouts: software, paper size
    # Bibliographic databases, identifiers and licences, by their names.
    "PubMed", "CC-BY",
    # A source's own label or garbled text, quoted in a data note that says
    # what it means (the note is the explanation; the label is not the book's).
    "RD2",             # Imber 2020's axis label, read as the next relapse or progression
    "PFS2", "OS2",     # the DESCAR-T lenalidomide paper's labels, defined in the notes
    "ITKi",            # printed on the mechanisms slide; the note expands it
    "108CART19cells",  # garbled extraction of "10^8 CART19 cells", quoted and read in its note
}

ALLOWED_PATTERNS = [
    # Cluster of differentiation antigens, used as the molecules' names (CD19,
    # CD79b), alone or as the pair a bispecific engages (CD19xCD3).
    re.compile(r"CD\d+[a-z]?(?:x(?:CD\d+[a-z]?))*"),
    # Roman-numeral phases (phase II, phase I/Ib, phase Ib/II).
    re.compile(r"[IVX]+[ab]?(?:/[IVX]+[ab]?)*"),
    # A journal's electronic page numbers in a printed citation (E209–E213).
    re.compile(r"E\d+"),
    # A DOI's own identifier (the appendix quotes DOIs, e.g. NEJMoa1407222).
    re.compile(r"NEJMoa\d+"),
]


def surnames(root: Path = ROOT) -> set[str]:
    """Every author's surname in the bibliography, word by word."""
    bib = pybtex.database.parse_file(str(root / "references.bib"))
    names = set()
    for entry in bib.entries.values():
        for person in entry.persons.get("author", []):
            for name in person.last_names:
                names.update(re.split(r"[\s-]+", name.replace("{", "").replace("}", "")))
    return names


# --------------------------------------------------------------------------
# One term per concept.

# A banned synonym and the term the book writes instead.
BANNED_SYNONYMS = {
    "HSCT": "HCT", "SCT": "HCT", "allo-HSCT": "allogeneic HCT",
    "alloSCT": "allogeneic HCT", "allo-SCT": "allogeneic HCT",
    "alloHCT": "allogeneic HCT", "allo-HCT": "allogeneic HCT",
}
BANNED = re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, BANNED_SYNONYMS),
                                                  key=len, reverse=True)) + r")s?(?!\w)",
                    re.IGNORECASE)

# The one place a banned synonym may stay: inside a quotation of what a source
# printed. That is a reading of the source, word for word, not the book's
# wording. Two conventions mark a quotation:
# - single quotes, as the data notes quote a slide (Printed 'Bridge to
#   alloSCT'; written with the book's term): the notes reach pages, where
#   Sphinx turns ' into typographic quotes;
# - double quotes after "prints", "printed", "reads" or "read", as prose
#   quotes a source (the slide prints "allogeneic HSCT"), across line breaks.
# An apostrophe (the book's) is not a quote: a quote mark followed by a
# letter does not close a quotation.
QUOTATION = re.compile(
    r"(?<!\w)['‘](?:[^'‘’\n]|['’](?=\w))*['’](?!\w)"
    r"|\b(?:[Pp]rint(?:s|ed)|[Rr]eads?)(?: as)?:?\s+[\"“][^\"”]{0,400}[\"”]")


def banned_uses(text: str) -> list[str]:
    """The banned synonyms in ``text``, quotations of a source left out."""
    return [use for use, _ in banned_in(text)]


def banned_in(text: str) -> list[tuple[str, str]]:
    """(banned synonym, its context) for each use outside a quotation."""
    masked = QUOTATION.sub(lambda m: re.sub(r"\S", " ", m.group(0)), text)
    return [(m.group(0), " ".join(text[max(0, m.start() - 50):m.end() + 30].split()))
            for m in BANNED.finditer(masked)]


# --------------------------------------------------------------------------
# Finding abbreviations in text.

TOKEN = re.compile(r"(?<![\w.])[A-Za-z0-9αβ]+(?:[-/][A-Za-z0-9αβ]+|\.\d+)*")
SPLIT = re.compile(r"([-/])")
INITIALS = re.compile(r"[A-Z]{1,3}")


def looks_like_abbreviation(word: str) -> bool:
    return bool(sum(c.isupper() for c in word) >= 2
                or re.search(r"[a-z][A-Z]", word)
                or re.search(r"[A-Z]\d|\d[A-Z]", word))


def glossary_rows(root: Path = ROOT) -> list[dict[str, str]]:
    with open(root / "data" / "glossary.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Known:
    """Is a word a glossary term or an allowed name?

    Inside a quotation of a source (see ``QUOTATION``) the source's spelling
    of a term is accepted in any case: a slide quoted as printing "IMIDs"
    still points the reader to the entry IMiD.
    """

    def __init__(self, terms: Iterable[str], names: Iterable[str] = ()):
        self.names = set(names)
        self.words = set(terms) | ALLOWED | self.names
        self.folded = {w.lower() for w in self.words}

    def __call__(self, word: str, quoted: bool = False) -> bool:
        if word in self.words or any(p.fullmatch(word) for p in ALLOWED_PATTERNS):
            return True
        if quoted and word.lower() in self.folded:
            return True
        # A plural of a term: CIs, AEs, IMiDs.
        return word.endswith("s") and len(word) > 2 and self(word[:-1], quoted)

    def unknown(self, word: str, quoted: bool = False) -> list[str]:
        """The parts of ``word`` that look like abbreviations and are not known.

        ``CD19-negative`` -> [], ``Pola-XY`` -> ["XY"], ``AB-CD`` -> ["AB-CD"]
        (unknown parts next to each other are reported together).
        """
        if self(word, quoted):
            return []
        pieces = SPLIT.split(word)  # word, separator, word, separator, ...
        words = pieces[::2]
        found: list[str] = []
        run: list[int] = []
        i = 0
        while i < len(words):
            j = next((j for j in range(len(words), i, -1)  # the longest known run from i
                      if self("".join(pieces[2 * i:2 * j - 1]), quoted)), i)
            if j > i:
                found += self._joined(run, pieces)
                run, i = [], j
            elif looks_like_abbreviation(words[i]):
                run.append(i)
                i += 1
            else:
                found += self._joined(run, pieces)
                run, i = [], i + 1
        return found + self._joined(run, pieces)

    @staticmethod
    def _joined(run: list[int], pieces: list[str]) -> list[str]:
        return ["".join(pieces[2 * run[0]:2 * run[-1] + 1])] if run else []


def unknown_words(text: str, known: Known) -> set[str]:
    """Abbreviation-like words of ``text`` that are neither terms nor allowed.

    Banned synonyms are left to the one-term-per-concept tests.
    """
    quotations = [m.span() for m in QUOTATION.finditer(text)]
    found = set()
    previous, previous_end = "", -1
    for match in TOKEN.finditer(text):
        word = match.group(0)
        initials = (previous in known.names and INITIALS.fullmatch(word)
                    and text[previous_end:match.start()] == " ")  # Grupp SA
        previous, previous_end = word, match.end()
        if initials or BANNED.fullmatch(word):
            continue
        if any(looks_like_abbreviation(part) for part in SPLIT.split(word)[::2]):
            quoted = any(start <= match.start() < end for start, end in quotations)
            found.update(w for w in known.unknown(word, quoted) if not BANNED.fullmatch(w))
    return found


# --------------------------------------------------------------------------
# Reading the MyST sources as a reader sees them.

# Roles whose content a reader never sees as written: citations and cross
# references (rendered as authors, a number or a title from elsewhere) and
# glued values (numbers).
HIDDEN_ROLES = re.compile(r"\{(?:cite(?::\w+)?|numref|ref|doc|eq|glue(?::\w+)?|download)\}`[^`]*`")
SHOWN_ROLE = re.compile(r"\{[\w:-]+\}`([^`<]*)(?:<[^`]*>)?`")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
LABEL_LINE = re.compile(r"^\s*\([\w-]+\)=\s*$")
OPTION_LINE = re.compile(r"^\s*:[\w-]+:")
FENCE = re.compile(r"^\s*(`{3,}|:{3,})\s*(\{[\w:-]+\})?\s*(.*)$")
NO_TEXT_DIRECTIVES = ("{bibliography}", "{tableofcontents}")


def reader_text(markdown: str) -> str:
    """What a MyST page puts in front of a reader, as plain text.

    Prose and directive titles are kept (and the text of a ``{term}``);
    front matter, directive options, labels, citations, cross references,
    glued values, inline code and link targets are dropped. From code cells
    only string literals are kept (captions, alt text, column headers, figure
    labels, and the values a cell uses to pick the rows it shows): names and
    comments are code, not page text.
    """
    lines = markdown.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    kept: list[str] = []
    fences: list[tuple[str, str]] = []  # open fences: (marker, directive)
    code: list[str] = []
    for line in lines:
        fence = FENCE.match(line)
        closing = (fence and fences and fence.group(1) == fences[-1][0]
                   and not fence.group(2) and not fence.group(3))
        if closing:
            if fences.pop()[1] == "{code-cell}":
                kept += code_strings("\n".join(code))
                code = []
        elif fences and fences[-1][1] == "{code-cell}":
            code.append(line)
        elif fence:
            directive = fence.group(2) or ""
            fences.append((fence.group(1), directive))
            if directive and directive not in ("{code-cell}", *NO_TEXT_DIRECTIVES):
                kept.append(fence.group(3))  # a directive's title (admonitions)
        elif fences and fences[-1][1] in NO_TEXT_DIRECTIVES:
            continue
        elif not (OPTION_LINE.match(line) or LABEL_LINE.match(line)):
            kept.append(line)
    text = "\n".join(kept)
    for pattern, replacement in [(HTML_COMMENT, " "), (HIDDEN_ROLES, " "), (SHOWN_ROLE, r"\1"),
                                 (INLINE_CODE, " "), (LINK_TARGET, "] ")]:
        text = pattern.sub(replacement, text)
    return text


def code_strings(source: str) -> list[str]:
    """The string literals of a code cell, f-string fields blanked."""
    source = "\n".join(line for line in source.splitlines() if not OPTION_LINE.match(line))
    try:
        return [_literal(token.string)
                for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.STRING]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [m.group(2) for m in re.finditer(r"([\"'])(.*?)\1", source)]


def _literal(token: str) -> str:
    prefix = re.match(r"[A-Za-z]*", token).group(0)
    body = token[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
    body = body[len(quote):-len(quote)]
    if "f" in prefix.lower():
        body = re.sub(r"\{[^{}]*\}", " ", body)
    return body


def pages(root: Path = ROOT) -> list[Path]:
    return [p for pattern in PAGE_GLOBS for p in sorted(root.glob(pattern))]


def printed_cells(root: Path = ROOT) -> Iterator[tuple[str, str, str]]:
    """(table, "row N, column", text) for every data cell a page may print."""
    for path in sorted((root / "data").glob("*.csv")):
        with open(path, encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.DictReader(f), start=2):
                for column, value in row.items():
                    if path.stem == "glossary":
                        printed = column in GLOSSARY_PRINTED
                    else:
                        printed = not (column in NOT_PRINTED_COLUMNS
                                       or column.endswith(NOT_PRINTED_SUFFIXES))
                    if printed and value:
                        yield path.stem, f"row {number}, {column}", value


def data_dictionary(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """What the appendix's data dictionary prints from datapackage.json."""
    package = json.loads((root / "data" / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        yield (f"data/datapackage.json {resource['name']}",
               f"{resource.get('title', '')}. {resource.get('description', '')}")
        for field in resource["schema"]["fields"]:
            enum = [str(v) for v in field.get("constraints", {}).get("enum", []) if v]
            yield (f"data/datapackage.json {resource['name']}.{field['name']}",
                   " ".join([field.get("description", ""), *enum]))


def source_texts(root: Path = ROOT) -> Iterator[tuple[str, str]]:
    """(where, text) for every reader-facing source."""
    for page in pages(root):
        yield page.relative_to(root).as_posix(), reader_text(page.read_text("utf-8"))
    for table, cell, text in printed_cells(root):
        yield f"data/{table}.csv {cell}", text
    yield from data_dictionary(root)


def findings(texts: Iterable[tuple[str, str]], known: Known) -> dict[str, set[str]]:
    """Unknown abbreviation -> where it is used."""
    found: dict[str, set[str]] = {}
    for where, text in texts:
        for word in unknown_words(text, known):
            found.setdefault(word, set()).add(where)
    return found


def report(found: dict[str, set[str]]) -> str:
    return "\n".join(f"  {word}: {', '.join(sorted(where)[:5])}"
                     + (f" (+{len(where) - 5} more)" if len(where) > 5 else "")
                     for word, where in sorted(found.items(), key=lambda kv: kv[0].lower()))


def known_in(root: Path) -> Known:
    return Known([row["term"] for row in glossary_rows(root)], surnames(root))


# --------------------------------------------------------------------------
# Sources (fast).


def test_every_abbreviation_in_the_sources_is_in_the_glossary():
    found = findings(source_texts(), known_in(ROOT))
    assert not found, ("abbreviations neither in data/glossary.csv nor allowed as names "
                       "(tests/test_glossary.py, ALLOWED):\n" + report(found))


def test_the_scanner_sees_prose_code_strings_and_table_cells_and_only_them():
    # Guards against a scan that silently finds nothing (or too much).
    known = Known(["CR", "PD-1", "CAR-T"], names=["Grupp", "McGuirk"])
    page = reader_text(
        "---\ntitle: XQZ\n---\n# Title\n\n(sec-x)=\nA CR with QQX after CAR-T "
        "{cite:p}`ab-QQA2020`, `QQB`, {glue:text}`QQC:.1f`, {numref}`tbl-QQV` and "
        "{term}`QQD`; Grupp SA, McGuirk, [QQL](https://QQU.org).\n\n"
        "```{code-cell} ipython3\n:tags: [remove-input]\nQQE = 1  # QQF\n"
        "tables.show(t, caption=f\"The QQG of {QQW} PD-1-positive QQH-negative cells\")\n```\n\n"
        "```{admonition} QQJ answer\n:class: tip\nQQK.\n```\n\n"
        "```{bibliography}\n:filter: QQM\n```\n")
    assert unknown_words(page, known) == {"QQX", "QQD", "QQL", "QQG", "QQH", "QQJ", "QQK"}
    assert known.unknown("Pola-QQN") == ["QQN"]
    assert known.unknown("QQP-QQR/CR") == ["QQP-QQR"]
    assert known.unknown("CRs") == [] and known.unknown("CD19xCD3-negative") == []
    # a source's spelling of a term is accepted only where the source is quoted
    assert unknown_words('IMIDs; the slide reads "with IMIDs\nand QQY"', Known(["IMiD"])) == {
        "IMIDs", "QQY"}
    # the data cells: a note is printed, a source column is not
    cells = {(table, cell.split(", ")[1]) for table, cell, _ in printed_cells()}
    assert ("survival", "note") in cells and ("survival", "source") not in cells
    assert ("glossary", "definition") in cells and ("glossary", "term") not in cells


def test_the_glossary_has_one_row_per_term_and_every_field_filled():
    rows = glossary_rows()
    terms = [row["term"] for row in rows]
    duplicates = sorted({t for t in terms if terms.count(t) > 1})
    assert not duplicates, f"terms defined twice: {duplicates}"
    folded = [t.lower() for t in terms]
    near = sorted({t for t in terms if folded.count(t.lower()) > 1})
    assert not near, f"terms that differ only in case: {near}"
    empty = [row["term"] for row in rows if not all((v or "").strip() for v in row.values())]
    assert not empty, f"rows with an empty field: {empty}"


def test_no_banned_synonym_is_a_term_or_used_in_the_glossary():
    for row in glossary_rows():
        assert not BANNED.fullmatch(row["term"]), f"{row['term']} is a banned synonym"
        if row["term"] == "HCT":
            continue  # its definition names the spellings readers meet in sources
        assert not banned_uses(" ".join(row.values())), row["term"]


def test_the_transplant_entry_names_one_term_and_offers_no_synonym():
    hct = next(row for row in glossary_rows() if row["term"] == "HCT")
    assert hct["expansion"] == "haematopoietic cell transplantation"
    assert not re.search(r"mean(s)? the same|also (called|known)|or use", hct["definition"])


def banned_in_sources(root: Path = ROOT) -> list[str]:
    """Uses of a banned synonym outside quotations of a source."""
    found = []
    for where, text in source_texts(root):
        if where.startswith("data/glossary.csv"):
            continue  # the glossary's rows, checked above
        found += [f"  {where}: {use!r} in {context!r}" for use, context in banned_in(text)]
    return found


def test_no_page_uses_a_banned_synonym():
    found = banned_in_sources()
    assert not found, ("one term per concept: write HCT or allogeneic HCT (a quotation "
                       "of a source, Printed '...', may keep its spelling):\n" + "\n".join(found))


def test_banned_synonyms_are_found_except_in_quotations_of_printed_text():
    assert banned_uses("after allo-HCT, HSCT or an allo-SCT; alloHCT") == [
        "allo-HCT", "HSCT", "allo-SCT", "alloHCT"]
    assert banned_uses("Printed 'Bridge to alloSCT'; written with the book's term.") == []
    assert banned_uses("'the deck's allo-HCT'. The book's HCT") == []
    assert banned_uses("the deck prints \u201callogeneic HSCT\u201d") == []
    assert banned_uses("Printed \u2018prior SCT\u2019; the SCT was autologous") == ["SCT"]
    assert banned_uses("an \u201callo-HCT\u201d, the book's alloSCT, patients' HSCT") == [
        "allo-HCT", "alloSCT", "HSCT"]
    assert banned_uses("HCT, allogeneic HCT, HSCTs") == ["HSCTs"]


# --------------------------------------------------------------------------
# Built pages.


class VisibleText(HTMLParser):
    """The visible text of a built page's article.

    Only the article (the page's own content: not the navigation, header or
    footer) is read; <script>, <style> and hidden elements are skipped, and
    so are the reference lists (sphinxcontrib-bibtex's citation lists and a
    section with the id "references"), whose titles are not the book's prose.
    Image alt text is read: screen readers read it out.
    """

    SKIPPED_TAGS = {"script", "style", "template", "noscript", "svg", "math", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
            "meta", "source", "track", "wbr"}
    SKIPPED_CLASSES = {"citation-list", "citation", "headerlink", "copybtn"}
    SKIPPED_SECTIONS = {"references", "bibliography"}

    def __init__(self, page_html: str):
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool, bool]] = []  # (tag, skipped, article)
        self.parts: list[str] = []
        self.feed(page_html)
        self.close()
        self.text = " ".join(self.parts)

    def _inside(self) -> tuple[bool, bool]:
        return (self.open[-1][1], self.open[-1][2]) if self.open else (False, False)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = set((attrs.get("class") or "").split())
        skipped, article = self._inside()
        if tag == "img":
            if article and not skipped and attrs.get("alt"):
                self.parts.append(attrs["alt"])
            return
        if tag in self.VOID:
            return
        style = (attrs.get("style") or "").replace(" ", "")
        skipped = (skipped or tag in self.SKIPPED_TAGS or "hidden" in attrs
                   or "display:none" in style or bool(classes & self.SKIPPED_CLASSES)
                   or attrs.get("role") in ("doc-bibliography", "doc-biblioentry")
                   or tag == "section" and attrs.get("id") in self.SKIPPED_SECTIONS)
        article = article or tag == "article" or "bd-article" in classes
        self.open.append((tag, skipped, article))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        # close up to the matching tag (HTML may leave <p> or <li> unclosed)
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i][0] == tag:
                del self.open[i:]
                return

    def handle_data(self, data):
        skipped, article = self._inside()
        if article and not skipped:
            self.parts.append(data)


def built_pages(root: Path) -> list[Path]:
    site = root / "_build" / "html"
    return [p for pattern in BUILT_PAGE_GLOBS for p in sorted(site.glob(pattern))]


def test_visible_text_reads_the_article_without_scripts_or_reference_lists():
    page = """<!DOCTYPE html><html><head><title>XQA</title><script>var QQS = 1;</script>
    </head><body><nav class="bd-sidebar">QQN</nav><div class="bd-header-article">QQB</div>
    <main><article class="bd-article" role="main">
    <section id="intro"><h1>QQT<a class="headerlink" href="#intro">#</a></h1>
    <p>A QQP after <span class="pasted-text">5.3</span>
    (<a class="reference internal" href="#id7">McQqz <em>et al.</em>, 2020</a>), see
    <a class="reference internal" href="../glossary.html#term-CR"
       ><span class="xref std std-term">CR</span></a>.
    <img alt="A forest plot of QQI" src="x.png"><br>
    <style>.QQY {}</style><span hidden>QQH</span><p>QQO</section>
    <section id="references"><h2>References</h2>
    <div class="docutils container" id="id1"><div role="list" class="citation-list">
    <div class="citation" id="id7" role="doc-biblioentry"><span class="label">R1</span>QQR</div>
    </div></div></section>
    <section id="how-to-cite"><h2>How to cite</h2><p>QQC</p></section>
    </article></main><footer>QQF</footer></body></html>"""
    text = VisibleText(page).text
    for shown in ("QQT", "QQP", "5.3", "McQqz", "CR", "QQI", "QQO", "QQC"):
        assert shown in text, shown
    for hidden in ("XQA", "QQS", "QQN", "QQB", "#", "QQY", "QQH", "References", "R1",
                   "QQR", "QQF"):
        assert hidden not in text, hidden


def test_every_abbreviation_on_the_built_pages_is_in_the_glossary(clean_build, tell):
    read = built_pages(clean_build)
    assert len([p for p in read if p.parent.name in ("chapters", "cases")]) >= 8, \
        "chapter and case pages missing from the built site"
    texts = []
    for page in read:
        text = VisibleText(page.read_text("utf-8")).text
        assert len(text) > 500, f"{page.name}: no article text found (page layout changed?)"
        texts.append((page.relative_to(clean_build / "_build" / "html").as_posix(), text))
    found = findings(texts, known_in(clean_build))
    tell(f"glossary: {len(read)} built pages scanned for abbreviations")
    assert not found, ("abbreviations on the built pages neither in the glossary nor allowed "
                       "(tests/test_glossary.py, ALLOWED):\n" + report(found))


def test_no_built_page_uses_a_banned_synonym(clean_build):
    found = []
    for page in built_pages(clean_build):
        text = VisibleText(page.read_text("utf-8")).text
        found += [f"  {page.name}: {use!r} in {context!r}" for use, context in banned_in(text)]
    assert not found, ("one term per concept: write HCT or allogeneic HCT:\n"
                       + "\n".join(found))
