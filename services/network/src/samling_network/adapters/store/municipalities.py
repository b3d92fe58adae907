"""Municipalities in the store, and the scrubbing of contact persons newer lists replaced."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from samling_contracts.vocabulary import Country
from samling_runtime.mongo import Document
from samling_runtime.pagination import Page
from samling_runtime.service import Runtime
from samling_runtime.store import REVISIONS_BY_HOUR
from samling_runtime.time_buckets import LOOKBACK, MARKS, bucketed

from samling_network.adapters.store.repository import Repository
from samling_network.domain.municipalities import Municipality


class Municipalities(Repository[Municipality]):
    @classmethod
    async def open(cls, runtime: Runtime) -> Municipalities:
        store = runtime.store("municipalities", Municipality)
        await store.ensure_indexes(IndexModel([("region_id", ASCENDING), ("_id", ASCENDING)]))
        # Revisions from before they carried their hour, for the contacts' retention sweep.
        await bucketed(store.revisions, REVISIONS_BY_HOUR, runtime.mongo.db[MARKS])
        return cls(store)

    async def page(
        self, *, region_id: str | None, country: Country | None, cursor: str | None, limit: int
    ) -> Page[Municipality]:
        query: Document = {}
        if region_id:
            query["region_id"] = region_id
        if country:
            query["country"] = country.value
        return await self._page(query, sort="_id", cursor=cursor, limit=limit)

    async def region_of(self, municipality_id: str) -> str | None:
        """The municipality's region; None when it is not registered."""
        municipality = await self.store.current.find_one(
            {"_id": municipality_id}, projection={"region_id": 1}
        )
        return str(municipality["region_id"]) if municipality else None

    async def scrub_superseded_contacts(self, before: datetime) -> int:
        """Empty the contacts of revisions replaced before ``before`` and of the facts they
        hold; returns how many. Revisions are insert-only everywhere else: this is the one
        change of an old revision, and it only removes personal data."""
        scrubbed = 0

        async def scrub(revisions: list[Document]) -> None:
            nonlocal scrubbed
            for revision in revisions:
                if not _holds_contacts(revision):
                    continue  # scrubbed by an earlier round: FerretDB updates are slow
                await self.store.revisions.update_one(
                    {"_id": revision["_id"]},
                    {
                        "$set": {
                            "state.contacts": [],
                            "events": _without_contacts(revision["events"]),
                        }
                    },
                )
                scrubbed += 1

        sweep = self.store.history_sweep("superseded-contacts", LOOKBACK)
        await self.store.superseded(sweep, before, scrub)
        return scrubbed


def _without_contacts(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**e, "data": {**e["data"], "contacts": []}} if "contacts" in (e.get("data") or {}) else e
        for e in events
    ]


def _holds_contacts(revision: Document) -> bool:
    return bool(revision["state"].get("contacts")) or any(
        (e.get("data") or {}).get("contacts") for e in revision.get("events", [])
    )
