"""The reminder poll on a store of reminders that fired already, before and after it read by
the hour (#14): the poll it replaced (``due_at <= now``, not pushed down by FerretDB v1, so
PostgreSQL returns every reminder ever due, then one run look-up per reminder) against
``DueReminders.fire`` (the hours not finished, one equality each, with each hour's runs in one
more). Prints the PostgreSQL rows a poll read (``samling_devtools.store_rows``: the machine's
load does not move them) and its time.

Run: ``uv run --frozen python benchmarks/reminder_poll.py [--reminders 20000]``.
It starts a store of its own (PostgreSQL + FerretDB on free ports) and stops it at the end.
Beside ``notice_expiry.py``: it drives the service's store adapter in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient
from samling_devtools.benchmarking import running_store
from samling_devtools.infra import Stack
from samling_devtools.store_rows import settled_rows
from samling_notifications.adapters.store.due_reminders import DueReminders, reminder_hour, run_id
from samling_notifications.domain.audience import Reminder
from samling_notifications.domain.notices import Kind
from samling_runtime.mongo import Document
from samling_runtime.time_buckets import MARKS

DATABASE = "bench_reminders"
YEAR = timedelta(days=365)
POLLS = 20


async def load(db: Any, count: int, now: datetime) -> None:
    """``count`` reminders due over the past year, each with its run (written at its due time,
    as the service would have), and a few more due later this hour."""
    reminders: list[Document] = []
    runs: list[Document] = []
    for n in range(count):
        due = (now - YEAR + (YEAR * n) / count).replace(microsecond=0)  # as BSON keeps it
        reminder = Reminder(Kind.EVENT_REMINDER, f"evt_{n}", due, due + timedelta(days=1))
        doc = {**reminder.document(), "_id": reminder.id, **reminder_hour(due, due)}
        reminders.append(doc)
        runs.append({"_id": run_id(doc), "at": due, **reminder_hour(due, due)})
    for n in range(5):  # not due yet: read by every poll of this hour, fired by none
        due = now + timedelta(minutes=30 + n)
        reminder = Reminder(Kind.EVENT_REMINDER, f"soon_{n}", due, due + timedelta(days=1))
        reminders.append({**reminder.document(), "_id": reminder.id, **reminder_hour(due, now)})
    for collection, docs in (("reminders", reminders), ("reminder_runs", runs)):
        for start in range(0, len(docs), 1000):
            await db[collection].insert_many(docs[start : start + 1000], ordered=False)


async def measured(
    stack: Stack, name: str, polls: int, poll: Callable[[], Awaitable[Any]]
) -> tuple[str, float, float]:
    """Rows read and milliseconds, per poll, of ``polls`` polls."""
    before = await settled_rows(stack.postgres, DATABASE)
    t0 = time.perf_counter()
    for _ in range(polls):
        await poll()
    took = time.perf_counter() - t0
    read = await settled_rows(stack.postgres, DATABASE) - before
    return name, read.rows / polls, took * 1000 / polls


async def main(count: int) -> None:
    with running_store("samling-bench-reminders-") as stack:
        client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url, tz_aware=True)
        try:
            db = client[DATABASE]
            now = datetime.now(UTC).replace(microsecond=0)
            print(f"loading {count} fired reminders ...", flush=True)
            await load(db, count, now)
            # As on a database that had reminders when this code first started there: no marks.
            await DueReminders(db["reminders"], db["reminder_runs"], db[MARKS]).prepare(now)
            stack.postgres.psql("VACUUM (ANALYZE)")

            async def nothing(reminder: Document, run: str) -> int:
                raise AssertionError(f"{run} fired: every loaded reminder ran already")

            async def range_poll() -> None:  # the poll before #14 (main's queries)
                for reminder in await db["reminders"].find({"due_at": {"$lte": now}}).to_list():
                    await db["reminder_runs"].find_one({"_id": run_id(reminder)})

            def process() -> Callable[[], Awaitable[int]]:
                due = DueReminders(db["reminders"], db["reminder_runs"], db[MARKS])
                return lambda: due.fire(now, nothing)

            steady = process()
            results = [
                await measured(stack, "a poll by `due_at <= now` (before)", 1, range_poll),
                await measured(stack, "the first poll on the database (168 hours)", 1, steady),
                await measured(stack, "a poll within the hour (after)", POLLS, steady),
                await measured(
                    stack, "a started process's first poll (reads the marks)", 1, process()
                ),
            ]
            print(f"\n| one poll, {count:,} fired reminders | rows read | time |")
            print("|---|---|---|")
            for name, rows, took in results:
                print(f"| {name} | {rows:,.0f} | {took:.0f} ms |")
        finally:
            await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().reminders))
