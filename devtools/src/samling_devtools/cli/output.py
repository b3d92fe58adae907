"""How the CLI shows things: one console and the tables of the list commands.

Commands print through ``output.console`` (looked up at call time), so tests can swap in a
console of a fixed width.
"""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()


def table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    result = Table(title=title)
    for column in columns:
        if column == "id" or column.endswith("_id"):
            # Ids are what the next command needs: shown whole; the other columns wrap, and a
            # word too long for its column folds instead of losing its end.
            widest = max((len(_show(row.get(column))) for row in rows), default=len(column))
            result.add_column(column, no_wrap=True, min_width=max(widest, len(column)))
        else:
            result.add_column(column, overflow="fold", min_width=len(column))
    for row in rows:
        result.add_row(*(_show(row.get(c)) for c in columns))
    return result


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
