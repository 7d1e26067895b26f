"""Links to files that one command makes and another does not: never a dead link.

``make book`` writes the pages; ``make pdf`` adds the chapter PDFs to the
same site. A page built by ``make book`` alone that linked its PDF would send
the reader to a "page not found". So a link to such a file is an *offer*:
the page marks it, with the file's path from the site's root, and whenever a
site is published (``build.publish``, by both commands) every offer whose
file is not in that site is taken out, with the words around it. The marks
are HTML comments: they change nothing a reader sees.
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes

_START = "<!--offer:{}-->"
_END = "<!--/offer-->"
# An offer that is a paragraph's whole content goes with its paragraph.
_OFFER = re.compile(r"(?P<open><p>)?<!--offer:(?P<path>[^>]+?)-->(?P<inner>.*?)<!--/offer-->"
                    r"(?P<close></p>)?", re.DOTALL)


def offer(path: str, content: list[nodes.Node]) -> list[nodes.Node]:
    """``content`` (a link and its words) shown only if the site holds ``path``
    (from the site's root, e.g. ``pdf/radiotherapy.pdf``)."""
    return [nodes.raw("", _START.format(path), format="html"), *content,
            nodes.raw("", _END, format="html")]


def withdraw_missing(site: Path) -> list[str]:
    """Take every offer of a file ``site`` lacks out of its pages; keep the
    others, without their marks. Returns the paths withdrawn (sorted, unique)."""
    withdrawn: set[str] = set()

    def settle(match: re.Match) -> str:
        wrapper = (match["open"] or "", match["close"] or "")
        if (site / match["path"]).is_file():
            return wrapper[0] + match["inner"] + wrapper[1]
        withdrawn.add(match["path"])
        return "" if all(wrapper) else "".join(wrapper)

    for page in site.rglob("*.html"):
        text = page.read_text("utf-8")
        if "<!--offer:" in text:
            page.write_text(_OFFER.sub(settle, text), "utf-8")
    return sorted(withdrawn)
