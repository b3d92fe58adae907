"""Which queries the services issue, and whether the store answers each from an index.

A :class:`QueryRecorder` listens to PyMongo's command monitoring (every client made after
:func:`recorder` installed it) and keeps one example of each query *shape*: the collection and
the filter with its values replaced by their types. :func:`explain_plan` asks the store how it
would run an example; FerretDB answers MongoDB's ``explain`` with PostgreSQL's plan, and a
``Seq Scan`` in it means no index could serve the filter (the test PostgreSQL plans with
``enable_seqscan=off``, so even a table of ten rows shows which index a large one would use).
Updates, deletes and counts are explained as the ``find`` of their filter: FerretDB v1 selects
the documents they touch with the same pushed-down query.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pymongo import monitoring
from pymongo.asynchronous.database import AsyncDatabase

Document = dict[str, Any]

#: Command name -> where its filters are (``None``: the command itself holds one ``query``).
_FILTERS: dict[str, tuple[str, str] | None] = {
    "find": ("", "filter"),
    "count": ("", "query"),
    "distinct": ("", "query"),
    "findAndModify": ("", "query"),
    "delete": ("deletes", "q"),
    "update": ("updates", "q"),
    "aggregate": ("pipeline", "$match"),
}


@dataclass(frozen=True, slots=True)
class RecordedQuery:
    database: str
    collection: str
    command: str
    filter: Document

    @property
    def shape(self) -> str:
        return f"{self.collection} {json.dumps(shape_of(self.filter), sort_keys=True)}"


def shape_of(value: Any) -> Any:
    """The filter without its values: operators and field names stay, values become types."""
    if isinstance(value, dict):
        return {k: shape_of(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        shapes = {json.dumps(shape_of(v), sort_keys=True): shape_of(v) for v in value}
        return [shapes[key] for key in sorted(shapes)]
    return type(value).__name__


def filters_of(name: str, command: Mapping[str, Any]) -> Iterator[Document]:
    where = _FILTERS.get(name)
    if where is None:
        return
    items, key = where
    if name == "aggregate":
        # count_documents is an aggregate of $match and $group; only a leading $match can
        # reach the store's query, anything else runs over the whole collection.
        pipeline = command.get("pipeline") or [{}]
        yield pipeline[0].get("$match", {})
    elif items:
        for item in command.get(items, []):
            yield item.get(key) or {}
    else:
        yield command.get(key) or {}


class QueryRecorder(monitoring.CommandListener):
    """Keeps the first example of each query shape while ``recording`` is on, and every
    query in the order sent (``sent``: how many queries a request costs)."""

    def __init__(self) -> None:
        self.recording = False
        self.queries: dict[str, RecordedQuery] = {}
        self.sent: list[RecordedQuery] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not self.recording or event.command_name not in _FILTERS:
            return
        collection = event.command.get(event.command_name)
        if not isinstance(collection, str):
            return  # a database-wide aggregate ({aggregate: 1}) is not a service query
        for found in filters_of(event.command_name, event.command):
            query = RecordedQuery(
                event.database_name, collection, event.command_name, copy.deepcopy(found)
            )
            self.queries.setdefault(query.shape, query)
            self.sent.append(query)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def sent_to(self, collection: str) -> list[Document]:
        """The filters of every query sent to ``collection`` since ``sent`` was cleared."""
        return [q.filter for q in self.sent if q.collection == collection]


_recorder: QueryRecorder | None = None


def recorder() -> QueryRecorder:
    """The process's recorder, installed for every client made from now on (PyMongo has no
    way to remove a registered listener, so there is one, switched on and off)."""
    global _recorder
    if _recorder is None:
        _recorder = QueryRecorder()
        monitoring.register(_recorder)
    return _recorder


async def explain_plan(db: AsyncDatabase[Document], query: RecordedQuery) -> Document:
    """The store's plan for the ``find`` of the query's filter."""
    reply: Document = await db.command(
        {"explain": {"find": query.collection, "filter": query.filter}}
    )
    return reply


def scanned_tables(plan: Document) -> list[str]:
    """The tables a plan reads by a sequential scan (empty: every table through an index)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("Node Type") == "Seq Scan":
                found.append(str(node.get("Relation Name", "?")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan.get("queryPlanner", plan))
    return found
