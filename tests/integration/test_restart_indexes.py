"""A service restarts on its existing database: creating indexes again must work on FerretDB.

FerretDB v1.24 panics and drops the connection when one ``createIndexes`` command lists
several indexes that all exist already; ``AggregateStore.ensure_indexes`` therefore creates
them one per command (``create_indexes_one_by_one``).
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from pymongo import ASCENDING, IndexModel
from samling_devtools.infra import Stack
from samling_devtools.testing import mongo_db, unique
from samling_runtime.store import AggregateStore

pytestmark = pytest.mark.integration


class Thing(BaseModel):
    name: str


async def test_indexes_are_created_again_on_restart(stack: Stack) -> None:
    async with mongo_db(stack.mongo_url, unique("restart").replace("-", "_")) as db:
        extra = (
            IndexModel([("name", ASCENDING)], unique=True),
            IndexModel([("_version", ASCENDING)]),
        )
        for _start in range(3):
            store = AggregateStore(db, "things", Thing, source="/test")
            await store.ensure_indexes(*extra)
        names = {i["name"] async for i in await db["things"].list_indexes()}
        assert {"name_1", "_version_1"} <= names
        revision_indexes = {i["name"] async for i in await db["things_revisions"].list_indexes()}
        assert {"aggregate_id_1_version_-1", "pending_1_recorded_at_1"} <= revision_indexes
        assert await db.command("ping")
