"""What a year of running leaves behind besides the data, for ``scale_year.py`` (scripts are
no package): the events service's sweeps run over the loaded year in its own past, so the
services' first start here does no catch-up over history.

A service that ran all year anonymised each event's registrations a day's events at a time,
90 days after they ended, remembered in ``sweep_marks`` which days and hours its sweeps have
finished, and its relay published the facts that made (its horizon in ``outbox_horizons``).
Loaded without that, the events service's first start anonymised about 540 events' 54,000
registrations during the reads (104 s of CPU at scale 1.0, docs/performance.md).

So the loader writes the registrations of events past the retention period as the service's
anonymisation leaves them (:func:`retained`: the domain's ``scrub``, recorded when it came
due; no roster line; a participant with no registration left loses the name and gets the
``anonymise`` record), which is what ``anonymise_event`` does one update at a time (20,000
registrations at scale 0.1 took more than half an hour that way on this machine). Then the
service's own sweeps run in its past (:func:`age_events`): its stores opened as the service
opens them (``open_stores``) on a clock the loader moves, ``Anonymisation`` once a simulated
day from the first day something came due until the load's now (it finds nothing left to do
and finishes its days and hours, as the service's rounds did), then one whole sweeper round at
now (the seat repair's and the others' first round, which finishes the buckets they look back
on); the notice expiry's first round and each service's consumed-event and idempotency-key
retention's (:func:`age_notices`, :func:`age_runtime`) likewise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from samling_devtools.store_runtime import store_runtime
from samling_events.adapters.store.retention import Anonymisation
from samling_events.adapters.store.stores import Stores, open_stores
from samling_events.adapters.store.sweeper import Sweeper
from samling_events.desk import Desk, Desks
from samling_events.domain.events import Event
from samling_events.domain.participants import anonymise, scrub
from samling_events.domain.registrations import Registration
from samling_events.settings import EventsSettings
from samling_kernel.decisions import Change
from samling_notifications.adapters.store.expiry import NoticeExpiry
from samling_notifications.settings import NotificationsSettings
from samling_runtime.clock import ManualClock
from samling_runtime.idempotency import IdempotencyKeys
from samling_runtime.mongo import Document
from samling_runtime.outbox import HORIZON_MARGIN, WATERMARKS
from samling_runtime.processed import ProcessedEvents
from samling_runtime.settings import ServiceSettings
from samling_runtime.store import AggregateStore
from samling_runtime.time_buckets import MARKS

ANONYMISE_AFTER = timedelta(days=EventsSettings.model_fields["anonymise_after_days"].default)
PROCESSED_RETENTION = timedelta(
    days=ServiceSettings.model_fields["processed_retention_days"].default
)
NOTICE_RETENTION = timedelta(
    days=NotificationsSettings.model_fields["notice_retention_days"].default
)
SWEEP_DAY = timedelta(days=1)
"""How often the past year's anonymisation runs here: its buckets are days (``EVENTS_BY_END``),
so a round a day reads each day once, as the service's rounds every 30 s do."""


@dataclass
class Retained:
    """A year's registrations as the service's retention leaves them at the load's now."""

    registrations: list[Registration] = field(default_factory=list)
    recorded: dict[str, datetime] = field(default_factory=dict)
    """When each registration's copy was last written: registered, or anonymised."""
    anonymised: set[str] = field(default_factory=set)
    """The registrations anonymised (they have no roster line)."""
    leaving: dict[str, datetime] = field(default_factory=dict)
    """Participants with no registration left, and when their last one was anonymised."""


def retained(
    events: Sequence[Event],
    registrations: Sequence[Registration],
    registered: dict[str, datetime],
    now: datetime,
) -> Retained:
    """The registrations of events that ended more than ``ANONYMISE_AFTER`` before ``now``
    scrubbed when that came due (``registered``: when each event's registrations arrived)."""
    due = {e.id: e.ends_at + ANONYMISE_AFTER for e in events if e.ends_at + ANONYMISE_AFTER < now}
    kept = Retained()
    in_use: set[str] = set()
    gone: dict[str, datetime] = {}
    for registration in registrations:
        at = due.get(registration.event_id)
        change = scrub(registration) if at else None
        if at is None or change is None:
            kept.registrations.append(registration)
            kept.recorded[registration.id] = registered[registration.event_id]
            in_use.add(registration.participant_id)
            continue
        kept.registrations.append(change.state)
        kept.recorded[registration.id] = at
        kept.anonymised.add(registration.id)
        gone[registration.participant_id] = max(at, gone.get(registration.participant_id, at))
    kept.leaving = {p: at for p, at in gone.items() if p not in in_use}
    return kept


async def events_stores(db: AsyncDatabase[Document], clock: ManualClock) -> Stores:
    """The events service's stores on ``db``, as ``open_stores`` opens them, writing at the
    time of ``clock``."""

    runtime = store_runtime(db, clock.now, "/samling/events")
    return await open_stores(runtime)


async def age_events(
    db: AsyncDatabase[Document], first_end: datetime, now: datetime, leaving: dict[str, datetime]
) -> int:
    """The ``anonymise`` records of the participants who left, then the events service's
    anonymisation run over the year as it would have run and one whole sweeper round at
    ``now``, and the relay's horizon left at ``now``: returns how many registrations those
    rounds anonymised (none when :func:`retained` left the year as they would)."""
    clock = ManualClock(first_end + ANONYMISE_AFTER)
    stores = await events_stores(db, clock)
    for at in sorted(set(leaving.values())):
        clock.set(at)
        records = [(p, anonymise(p, at)) for p, when in leaving.items() if when == at]
        # Without their facts: a relay running all year published them long ago.
        await stores.anonymisations.create_many([(p, Change(c.state)) for p, c in records])
    clock.set(first_end + ANONYMISE_AFTER)
    anonymisation = Anonymisation(stores, ANONYMISE_AFTER)
    done = 0
    while clock.now() < now:
        done += await anonymisation.run(clock.now())
        clock.advance(SWEEP_DAY)
    clock.set(now)
    started: list[asyncio.Task[None]] = []

    def start(desk: Desk) -> asyncio.Task[None]:  # a desk only starts for a repair's promotion
        started.append(asyncio.create_task(desk.run(), name=f"desk-{desk.event_id}"))
        return started[-1]

    sweeper = Sweeper(stores, Desks(stores, clock, start), clock, 30, ANONYMISE_AFTER)
    await sweeper.run_once()
    for task in started:
        task.cancel()
    await relayed(db, stores.all(), now)
    return done


async def relayed(
    db: AsyncDatabase[Document], stores: Sequence[AggregateStore[Any]], now: datetime
) -> None:
    """What a relay running all year leaves: every store's horizon at ``now`` (minus its
    margin), so its first sweep does not publish the year's facts again."""
    horizon = now - HORIZON_MARGIN
    for store in stores:
        await db[WATERMARKS].replace_one({"_id": store.name}, {"horizon": horizon}, upsert=True)


async def age_notices(db: AsyncDatabase[Document], now: datetime) -> int:
    """The notifications service's notice expiry, run once at ``now`` (its first round: the
    hours it looks back on are finished); returns how many notices expired."""
    expiry = NoticeExpiry(db["notifications"], db["inbox_reads"], db[MARKS])
    return await expiry.delete_before(now - NOTICE_RETENTION)


async def age_runtime(db: AsyncDatabase[Document], now: datetime) -> None:
    """The first round of a service's own retention of consumed-event markers and idempotency
    keys at ``now`` (the loader writes none: their hours are finished empty)."""
    keys = IdempotencyKeys(db)
    await keys.forget_before(now - keys.retention)
    await ProcessedEvents(db, group="bench").forget_before(now - PROCESSED_RETENTION)
