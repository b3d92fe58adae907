"""The events service: scheduling, registration and waiting lists.

Run with ``uvicorn --factory samling_events.main:create``.
"""

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.service import Runtime, ServiceSpec, create_app
from samling_runtime.started import Started
from samling_runtime.store import AggregateStore

from samling_events.adapters.api import (
    approval_decisions,
    approvals,
    assignments,
    attendance,
    availability,
    calendar,
    events,
    figures,
    groups,
    participants,
    planning,
    registration_batch,
    registrations,
    self_service,
    transfer,
    transfer_region,
)
from samling_events.adapters.store.stores import open_stores
from samling_events.adapters.store.sweeper import Sweeper
from samling_events.container import EventsService
from samling_events.desk import Desk, Desks
from samling_events.handlers.table import network_subscriptions
from samling_events.settings import EventsSettings


def create(settings: EventsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    chosen = settings or EventsSettings()
    started: Started[EventsService] = Started("events")

    async def setup(runtime: Runtime) -> Sequence[AggregateStore[Any]]:
        stores = await open_stores(runtime)

        def start(desk: Desk) -> asyncio.Task[None]:
            task = asyncio.create_task(desk.run(), name=f"desk-{desk.event_id}")
            runtime.tasks.append(task)
            return task

        desks = Desks(stores, runtime.clock, start)
        sweeper = Sweeper(
            stores,
            desks,
            runtime.clock,
            chosen.sweep_interval_seconds,
            timedelta(days=chosen.anonymise_after_days),
        )
        started.set(EventsService(runtime, chosen, stores, desks, sweeper))
        runtime.background(sweeper.run(), "sweeper")
        return stores.all()

    app = create_app(
        ServiceSpec(
            name="events",
            title="Samling events service",
            description="Events and dialogue conferences: scheduling, registration, waiting "
            "lists, attendance. Personal data (names, e-mails) stays here and goes only to the "
            "restricted topic `samling.events.participants.restricted`.",
            settings=chosen,
            routers=[
                planning.router,
                assignments.router,
                groups.router,
                approval_decisions.router,
                attendance.router,
                approvals.router,
                events.router,
                registrations.router,
                registration_batch.router,
                self_service.router,
                figures.router,
                calendar.router,
                participants.router,
                availability.router,
                transfer.router,
                transfer_region.router,
            ],
            subscriptions=network_subscriptions,
            publishes=[topics.EVENTS, topics.REGISTRATIONS, topics.PARTICIPANTS_RESTRICTED],
            setup=setup,
            clock=clock or SystemClock(),
        )
    )
    app.state.events = started
    return app
