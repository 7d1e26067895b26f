"""Download links for the tables a chapter has loaded."""

from __future__ import annotations

from . import data, markup


def show_downloads() -> None:
    """List every table this kernel loaded, each linked as a CSV download."""
    names = data.loaded_tables()
    items = [
        f"- {{download}}`{name}.csv </data/{name}.csv>`: "
        f"{markup.escape(data.table_title(name))}"
        for name in names
    ]
    items.append("- {download}`datapackage.json </data/datapackage.json>`: "
                 "the schema of every table")
    markup.show({markup.MARKDOWN: "\n".join(items), "text/plain": ", ".join(names)})
