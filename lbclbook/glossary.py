"""Link the first prose use of each glossary term in each chapter to the glossary.

Run after adding terms or chapters: ``python -m lbclbook.glossary``.
It rewrites chapters/*.md in place, touching only prose (not code cells,
directive options, headings or backtick spans), and only a term's first use.
"""

import csv
import re
import sys
from pathlib import Path

from .paths import book_root

SKIP_FENCES = ("{code-cell}", "{bibliography}", "text", "{glossary}")


def terms(root: Path) -> list[str]:
    with open(root / "data" / "glossary.csv", encoding="utf-8") as f:
        return [row["term"] for row in csv.DictReader(f)]


def link_first_uses(text: str, glossary: list[str]) -> tuple[str, list[str]]:
    already = set(re.findall(r"\{term\}`([^`<]+)`", text))
    todo = [t for t in glossary if t not in already]
    patterns = {t: re.compile(rf"(?<![\w/-]){re.escape(t)}(?![\w/-])") for t in todo}
    out, fences, linked, front = [], [], [], False
    for number, line in enumerate(text.splitlines(keepends=True)):
        stripped = line.strip()
        if number == 0 and stripped == "---":
            front = True
        elif front:
            front = stripped != "---"
        elif stripped.startswith("```"):
            ticks = len(stripped) - len(stripped.lstrip("`"))
            if fences and stripped == "`" * fences[-1][0]:
                fences.pop()
            elif stripped != "`" * ticks:
                fences.append((ticks, stripped[ticks:].split()[0] if stripped[ticks:] else ""))
        elif not (any(kind.startswith(SKIP_FENCES) for _, kind in fences)
                  or stripped.startswith((":", "#"))):
            line = _link_in_line(line, patterns, linked)
        out.append(line)
    return "".join(out), linked


def _link_in_line(line: str, patterns: dict, linked: list[str]) -> str:
    parts = re.split(r"(\{[\w:]+\}`[^`]*`|`[^`]*`)", line)  # keep roles and code as they are
    for i in range(0, len(parts), 2):
        for term, pattern in patterns.items():
            if term in linked:
                continue
            new, count = pattern.subn(f"{{term}}`{term}`", parts[i], count=1)
            if count:
                parts[i] = new
                linked.append(term)
    return "".join(parts)


def main() -> int:
    root = book_root()
    glossary = terms(root)
    for page in sorted((root / "chapters").glob("*.md")):
        text, linked = link_first_uses(page.read_text("utf-8"), glossary)
        page.write_text(text, "utf-8")
        print(f"{page.name}: linked {', '.join(linked) or 'nothing new'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
