"""The events service: scheduling, registration and waiting lists.

Run with ``uvicorn --factory samling_events.main:create``.
"""

from fastapi import FastAPI
from samling_contracts import topics
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.service import ServiceSpec, create_app

from samling_events.adapters.kafka.network_facts import network_subscriptions
from samling_events.settings import EventsSettings


def create(settings: EventsSettings | None = None, clock: Clock | None = None) -> FastAPI:
    return create_app(
        ServiceSpec(
            name="events",
            title="Samling events service",
            description="Events and dialogue conferences: scheduling, registration, waiting "
            "lists, attendance.",
            settings=settings or EventsSettings(),
            subscriptions=network_subscriptions,
            publishes=[topics.EVENTS, topics.REGISTRATIONS, topics.PARTICIPANTS_RESTRICTED],
            clock=clock or SystemClock(),
        )
    )
