"""One trace from a registration's HTTP request, through the events service's outbox relay and
Kafka, to the notifications service's consumer and the confirmation mail it sends."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from samling_contracts.topics import every_topic_name
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import bearer, call, eventually, running, start_at_end, unique
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role
from samling_runtime.clock import TravellingClock

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

REGION = "rkk-salten"


async def test_a_registration_and_its_confirmation_mail_share_one_trace(
    mailbox: Mailpit, settings_for: Callable[..., Any], topics: str
) -> None:
    spans = InMemorySpanExporter()
    events_settings = settings_for(EventsSettings)
    notifications_settings = settings_for(
        NotificationsSettings,
        smtp_host=mailbox.host,
        smtp_port=mailbox.port,
        delivery_poll_seconds=0.1,
    )
    for settings in (events_settings, notifications_settings):
        await start_at_end(topics, settings.consumer_group, every_topic_name())
    clock = TravellingClock()
    coordinator = bearer("u-coord", Role.COORDINATOR, region_id=REGION)
    email = f"{unique('kari').replace('-', '')}@example.no"
    async with (
        running(create_events(events_settings, clock=clock)) as events,
        running(create_notifications(notifications_settings, clock=clock)) as notifications,
    ):
        provider = trace.get_tracer_provider()  # the services installed it at start-up
        assert isinstance(provider, TracerProvider)
        provider.add_span_processor(SimpleSpanProcessor(spans))
        starts = (clock.now() + timedelta(days=10)).replace(microsecond=0)
        created = await call(
            events.client,
            "POST",
            "/events",
            201,
            headers=coordinator,
            json={
                "kind": "workshop",
                "network_id": None,
                "title": "Kurs: Lesing i alle fag",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=6)).isoformat(),
                "timezone": "Europe/Oslo",
                "venue": "Bodø rådhus",
                "capacity": 10,
            },
        )
        await call(
            events.client, "POST", f"/events/{created['id']}/publish", 200, headers=coordinator
        )
        registration = await call(
            events.client,
            "POST",
            f"/events/{created['id']}/registrations",
            201,
            headers=bearer("u-kari", Role.PARTICIPANT, email=email),
            json={
                "name": "Kari",
                "email": email,
                "municipality_id": "NO-1804",
                "role": "lærer",
                "language": "nb",
            },
        )
        assert registration["status"] == "confirmed"

        def mail_sent() -> ReadableSpan | None:
            return next(
                (
                    s
                    for s in spans.get_finished_spans()
                    if s.name == "smtp send"
                    and (s.attributes or {}).get("samling.notification.kind")
                    == "registration.confirmed"
                ),
                None,
            )

        async def confirmed() -> ReadableSpan | None:
            return mail_sent() if mailbox.messages(to=email) else None

        sent = await eventually(confirmed, timeout=60)
        assert notifications  # kept running until the mail is out

    finished = spans.get_finished_spans()
    spans.shutdown()  # the processor stays with the session's provider; the exporter keeps nothing
    request = next(
        s
        for s in finished
        if s.kind == SpanKind.SERVER
        and s.name.startswith("POST /events/{event_id}/registrations")
        and (s.attributes or {}).get("http.status_code", 201) == 201
        and s.parent is None
    )
    assert sent.context is not None
    assert request.context is not None
    trace_id = request.context.trace_id
    in_trace = [s for s in finished if s.context is not None and s.context.trace_id == trace_id]
    names = {s.name for s in in_trace}
    assert sent.context.trace_id == trace_id, names
    assert "outbox publish" in names
    consumers = [s for s in in_trace if s.kind == SpanKind.CONSUMER]
    assert consumers, f"no consumer span in the request's trace: {sorted(names)}"
