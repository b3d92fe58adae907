"""A store (PostgreSQL + FerretDB) of a test's own, in a new folder on free ports: for tests
that may break the store (a deadlock) or read PostgreSQL's counters for one collection."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from samling_devtools.infra import free_port
from samling_devtools.store_servers import FerretDBServer, PostgresServer, StoreServers


def _store_in_new_folder() -> StoreServers:
    root = Path(tempfile.mkdtemp(prefix="samling-own-store-"))
    # As root, PostgreSQL runs as a user of its own (with root's group), which must be able to
    # enter the folder; mkdtemp makes it private.
    root.chmod(0o755)
    postgres = PostgresServer(free_port(), root / "postgres", root / "logs", durable=False)
    ferretdb = FerretDBServer(free_port(), root / "ferretdb", root / "logs", postgres.url())
    return StoreServers(postgres, ferretdb)


@asynccontextmanager
async def own_store() -> AsyncIterator[StoreServers]:
    """Started, and stopped and removed at the end; the session's store is not touched."""
    store = await asyncio.to_thread(_store_in_new_folder)
    try:
        await asyncio.to_thread(store.start)
        await asyncio.to_thread(store.wait_ready)
        yield store
    finally:
        await asyncio.to_thread(store.stop)
        await asyncio.to_thread(shutil.rmtree, store.postgres.data_dir.parent, True)
