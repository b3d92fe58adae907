"""Experience reports in the store: read only through the reader's visibility, listed a
bucket at a time (``report_queries``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, DESCENDING, IndexModel
from samling_contracts.vocabulary import CompetenceLevel, Language, LearningArena, ReportTemplate
from samling_runtime.mongo import Document, hoisted, matches
from samling_runtime.pagination import Page, decode_cursor, encode_cursor
from samling_runtime.service import Runtime
from samling_runtime.timeline import Way

from samling_network.adapters.store.report_queries import (
    REPORT_TIMELINE,
    REPORT_WEEK_TIMELINE,
    narrowed,
    readable_by,
    readable_ways,
    report_page_indexes,
    search_words,
    text_filter,
)
from samling_network.adapters.store.repository import Repository
from samling_network.domain.access import ReaderScope
from samling_network.domain.reports import Report, ReportStatus, ReportView


@dataclass(frozen=True)
class ReportSearch:
    """What a reader narrows the report list by; None narrows nothing."""

    words: str | None = None
    network_id: str | None = None
    learning_arena: LearningArena | None = None
    level: CompetenceLevel | None = None
    municipality_id: str | None = None
    language: Language | None = None
    template: ReportTemplate | None = None
    status: ReportStatus | None = None

    def conditions(self) -> list[Document]:
        conditions: list[Document] = []
        if self.words and self.words.strip():
            conditions.append(text_filter(self.words))
        for field, value in (
            ("network_ids", self.network_id),
            ("tags.learning_arenas", self.learning_arena),
            ("tags.level", self.level),
            ("municipality_id", self.municipality_id),
            ("tags.language", self.language),
            ("body.template", self.template),
            ("status", self.status),
        ):
            if value is not None:
                conditions.append({field: str(value)})
        return conditions


class Reports(Repository[Report]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Reports:
        store = runtime.store("reports", Report, REPORT_TIMELINE, REPORT_WEEK_TIMELINE)
        await store.ensure_indexes(
            IndexModel([("status", ASCENDING), ("visibility", ASCENDING)]),
            IndexModel([("municipality_id", ASCENDING)]),
            IndexModel([("network_ids", ASCENDING)]),
            IndexModel([("created_at", DESCENDING)]),
            *report_page_indexes(),
        )
        return cls(store)

    async def readable(self, scope: ReaderScope, report_id: str) -> Report | None:
        """The report if ``scope`` may read it, else None (whether it exists or not)."""
        doc = await self.store.current.find_one(
            hoisted({"$and": [{"_id": report_id}, readable_by(scope)]})
        )
        return self.store.from_current(doc) if doc else None

    async def search(
        self,
        scope: ReaderScope,
        search: ReportSearch,
        *,
        cursor: str | None,
        limit: int,
        now: datetime,
    ) -> Page[ReportView]:
        """Newest first, only reports ``scope`` may read."""
        conditions = search.conditions()
        narrow = await narrowed(
            self.store, search_words(search.words or ""), search.network_id, search.municipality_id
        )
        if narrow:
            timeline, way = narrow
            ways = [Way(hoisted({"$and": [way.query, *conditions]}), way.key)]
            visible = readable_by(scope)
        else:
            timeline = self.store.timelines[REPORT_TIMELINE.name]
            ways = [
                Way(hoisted({"$and": [way.query, *conditions]}), way.key)
                for way in readable_ways(scope)
            ]
            visible = {}
        docs = await timeline.page(
            ways,
            limit=limit + 1,
            descending=True,
            after=decode_cursor(cursor) if cursor else None,
            always=[now],
            keep=lambda doc: matches(doc, visible),
        )
        items = [self.store.from_current(d) for d in docs[:limit]]
        last = docs[limit - 1] if len(docs) > limit else None
        next_cursor = encode_cursor(last["created_at"], last["_id"]) if last else None
        return Page[ReportView](items=items, next_cursor=next_cursor)
