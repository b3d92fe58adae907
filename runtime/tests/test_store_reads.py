"""Reading an aggregate costs two ``_id`` look-ups on the real FerretDB: its copy, and the look
for a newer revision (a copy that lags is rolled forward)."""

from typing import Any

import pytest
from pydantic import BaseModel
from pymongo import AsyncMongoClient, monitoring
from samling_devtools.infra import Stack
from samling_kernel.decisions import Change
from samling_runtime.store import AggregateStore

pytestmark = pytest.mark.integration


class Note(BaseModel):
    text: str


class Finds(monitoring.CommandListener):
    """The ``find`` commands sent, by collection."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.sent.append(str(event.command["find"]))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_the_latest_revision_is_read_with_two_id_lookups(
    stack: Stack, unique_db_name: str
) -> None:
    finds = Finds()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        stack.mongo_url, tz_aware=True, event_listeners=[finds]
    )
    try:
        notes: AggregateStore[Note] = AggregateStore(
            client[unique_db_name], "notes", Note, source="/test"
        )
        await notes.ensure_indexes()
        created = await notes.create("n1", Change(Note(text="first")))
        await notes.update("n1", lambda _: Change(Note(text="second")))
        finds.sent.clear()
        found = await notes.get("n1")
        assert found is not None
        assert (found.version, found.state.text) == (2, "second")
        assert found.recorded_at >= created.recorded_at
        assert finds.sent == ["notes", "notes_revisions"]
    finally:
        await client.close()
