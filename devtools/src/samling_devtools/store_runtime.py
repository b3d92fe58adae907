"""A service's ``Runtime`` as far as opening its stores goes, over any database and clock.

A service opens its stores from its ``Runtime`` (``runtime.mongo.db`` and ``runtime.store``);
the fast tier (over ``memory_store``) and the scale benchmark's loader (over FerretDB,
in-process) open them the same way without starting the service, writing at the time of a
clock they move themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from pymongo.asynchronous.database import AsyncDatabase
from samling_runtime.mongo import Document
from samling_runtime.service import Runtime
from samling_runtime.store import AggregateStore
from samling_runtime.time_buckets import TimeBuckets
from samling_runtime.timeline import Timeline


def store_runtime(
    db: AsyncDatabase[Document], now: Callable[[], datetime], source: str = "/samling/memory"
) -> Runtime:
    """What ``open_stores(runtime)`` of a service needs: the database, and aggregate stores
    on it that record at ``now()``."""

    def store(
        name: str, model: type[Any], *timelines: Timeline, buckets: Sequence[TimeBuckets] = ()
    ) -> AggregateStore[Any]:
        return AggregateStore(
            db, name, model, source=source, now=now, timelines=timelines, buckets=buckets
        )

    return cast(Runtime, SimpleNamespace(mongo=SimpleNamespace(db=db), store=store))
