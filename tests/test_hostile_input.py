"""Text from data/ reaches the page as text, never as markup, in a real browser.

A copy of the book gets an HTML attack appended to every free-text cell of
every table and to every table title, plus a probe page that passes a data
cell through each way the package puts text on a page: table cell, table
caption, figure alt text and caption, glued text, download list. The copy
must build, show the attack as text, and never run it.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lbclbook.toolchain.build import SITE

from sitebrowser import LocalSite, Tab, pages

# No digit in it: the question bank refuses a typed number in its text.
ATTACK = "<img src=x onerror=alert(document.domain)>"
ESCAPED = "&lt;img src=x onerror=alert(document.domain)&gt;"
PROBE = "hostile-probe"

PROBE_PAGE = f"""---
jupytext:
  text_representation: {{extension: .md, format_name: myst, format_version: 0.13}}
kernelspec: {{display_name: Python 3, language: python, name: python3}}
file_format: mystnb
---

# A probe for hostile data

```{{code-cell}} ipython3
:tags: [remove-cell]
from lbclbook import plots, tables
from lbclbook.data import load
from lbclbook.downloads import show_downloads
from lbclbook.prose import glue

mechanisms = load("failure_mechanisms")
hostile = mechanisms.description.iloc[0]
```

```{{code-cell}} ipython3
:tags: [remove-cell, nbval-ignore-output]
glue("hostile_text", hostile)
```

```{{learning-objectives}}
```

Glued from data: {{glue:text}}`hostile_text`.

```{{admonition}} Key points
:class: important
- A key point glued from data: {{glue:text}}`hostile_text`.
```

```{{code-cell}} ipython3
:tags: [remove-input]
tables.show(mechanisms[["mechanism", "description"]], name="tbl-{PROBE}",
            caption=f"Table caption from data: {{hostile}}")
```

```{{code-cell}} ipython3
:tags: [remove-input]
fig, ax = plots.figure()
ax.plot([0, 1], [0, 1])
plots.show(fig, "{PROBE}", "line", alt=f"A line drawn for a test; alt text from data: {{hostile}}",
           caption=f"Figure caption from data: {{hostile}}")
```

```{{code-cell}} ipython3
:tags: [remove-input]
show_downloads()
```
"""


# Cells that are not free text: a chapter's title must equal its page's heading
# (checked by the data rules), and a decision's basis names rows of other tables
# (table|study|cohort, checked by lbclbook.basis), so the data cannot change them.
TIED_TO_A_PAGE = {("chapters", "title"), ("decision_aid", "basis"),
                  # the question bank names studies by label in its text
                  ("studies", "label"),
                  # a composite case looks its invented details up by name
                  ("composite_cases", "detail")}


def free_text_columns(resource: dict) -> list[str]:
    """String columns a chapter shows but never looks rows up by."""
    schema = resource["schema"]
    key = schema.get("primaryKey", [])
    # Columns that point at rows of another table (declared foreign keys) are keys too.
    key = [*key, *(f for fk in schema.get("foreignKeys", []) for f in fk["fields"]),
           *(fk["field"] for fk in schema.get("listForeignKeys", []))]
    return [f["name"] for f in schema["fields"]
            if f["type"] == "string" and f["name"] not in key
            and (resource["name"], f["name"]) not in TIED_TO_A_PAGE
            and not {"enum", "pattern"} & set(f.get("constraints", {}))]


def poison(root: Path) -> int:
    """Append the attack to every filled free-text cell and table title; count
    cells. (An empty cell stays empty: a question's fifth option is optional.)"""
    package_path = root / "data" / "datapackage.json"
    package = json.loads(package_path.read_text())
    poisoned = 0
    for resource in package["resources"]:
        resource["title"] = f"{resource.get('title', resource['name'])} {ATTACK}"
        path = root / "data" / resource["path"]
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in free_text_columns(resource):
            filled = table[column] != ""
            table.loc[filled, column] = table.loc[filled, column] + " " + ATTACK
            poisoned += int(filled.sum())
        table.to_csv(path, index=False)
    package_path.write_text(json.dumps(package, indent=2))
    return poisoned


def add_probe_page(root: Path) -> None:
    (root / "chapters" / f"{PROBE}.md").write_text(PROBE_PAGE)
    chapters = root / "data" / "chapters.csv"  # every chapter page has its row
    chapters.write_text(chapters.read_text() +
                        f"{PROBE},A probe for hostile data,Probe,,99,Teaching resources\n")
    objectives = root / "data" / "objectives.csv"  # its learning objective, with the attack
    objectives.write_text(objectives.read_text() + f'{PROBE},1,"read hostile data {ATTACK}"\n')
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    chapters = toc["parts"][-1]["chapters"] if "parts" in toc else toc.setdefault("chapters", [])
    chapters.append({"file": f"chapters/{PROBE}"})
    (root / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))


@pytest.fixture(scope="module")
def hostile(background, tell) -> Path:
    # Built in the background (conftest.py): a copy, poisoned, with the probe page.
    root, cells, result = background("hostile")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    tell(f"hostile input: attack appended to {cells} data cells and every table title; "
         "the book built")
    return root


class Handlers(HTMLParser):
    """The event-handler attributes (``on...``) of every element of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value) for name, value in attrs if name.startswith("on")]


def test_the_built_html_shows_the_attack_only_as_escaped_text(hostile):
    escaped = 0
    for page in pages(hostile / SITE):
        html = (hostile / SITE / page).read_text("utf-8")
        assert ATTACK.lower() not in html.lower(), page
        assert not [h for h in Handlers(html).found if "alert" in (h[2] or "")], page
        escaped += html.count(ESCAPED)
    assert escaped >= 10


def test_every_way_onto_the_page_shows_the_attack_as_text(hostile, browser):
    with LocalSite(hostile / SITE) as site:
        tab = Tab(browser, site)
        visit = tab.open(f"{site.url}chapters/{PROBE}.html")
        page = visit.page
        shown = {
            "table cell": page.locator("main table td").all_inner_texts(),
            "table caption": page.locator("main table caption").all_inner_texts(),
            "figure caption": page.locator("main figure figcaption").all_inner_texts(),
            "figure alt text": [page.locator("main figure img").get_attribute("alt")],
            "glued text": page.locator("main .pasted-text").all_inner_texts(),
            "download list": page.locator("main li").all_inner_texts(),
        }
        tab.close()
    missing = [where for where, texts in shown.items()
               if not any(ATTACK in text for text in texts)]
    assert not missing, f"the attack did not reach: {missing}"


def test_the_browser_never_runs_the_attack(hostile, browser, tell):
    with LocalSite(hostile / SITE) as site:
        tab = Tab(browser, site)
        visits = [tab.open(site.url + page) for page in pages(site.folder)]
        visits.append(tab.open(f"{site.url}search.html?q=onerror"))
        visits[-1].page.wait_for_function(
            "() => document.querySelector('#search-results .search-summary')?.innerText")
        for visit in visits:
            visit.page.wait_for_load_state("load")
        tab.close()
    ran = [(v.url, v.dialogs) for v in visits if v.dialogs]
    assert not ran, ran
    tell(f"hostile input: {len(visits)} pages (search results included) opened, no dialog")


def test_a_dialog_would_be_caught(browser, tmp_path):
    # The control: the same attack, left raw, does run and is recorded.
    (tmp_path / "raw.html").write_text(f"<!DOCTYPE html><title>raw</title><p>{ATTACK}</p>")
    with LocalSite(tmp_path) as site:
        tab = Tab(browser, site)
        visit = tab.open(site.url + "raw.html")
        visit.page.wait_for_load_state("networkidle")
        tab.close()
    assert visit.dialogs == ["127.0.0.1"]  # document.domain of the local site
