"""One trace from a registration's HTTP request, through the events service's outbox relay and
Kafka, to the notifications service's consumer and the confirmation mail it sends."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pymongo import AsyncMongoClient
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


@dataclass(frozen=True)
class Traced:
    """The spans finished while one registration went from its request to its mail."""

    spans: list[ReadableSpan]
    sent: ReadableSpan
    """The confirmation mail's ``smtp send`` span."""
    notifications_db: str


async def register_and_wait(
    client: Any, event_id: str, mailbox: Mailpit, spans: InMemorySpanExporter, n: int
) -> ReadableSpan:
    """A participant registers: the ``smtp send`` span of the confirmation mail."""
    email = f"{unique('kari').replace('-', '')}@example.no"
    registration = await call(
        client,
        "POST",
        f"/events/{event_id}/registrations",
        201,
        headers=bearer(f"u-kari-{n}", Role.PARTICIPANT, email=email),
        json={
            "name": "Kari",
            "email": email,
            "municipality_id": "NO-1804",
            "role": "lærer",
            "language": "nb",
        },
    )
    assert registration["status"] == "confirmed"
    earlier = {s.context.span_id for s in spans.get_finished_spans() if s.context is not None}

    def mail_sent() -> ReadableSpan | None:
        return next(
            (
                s
                for s in spans.get_finished_spans()
                if s.name == "smtp send"
                and s.context is not None
                and s.context.span_id not in earlier
                and (s.attributes or {}).get("samling.notification.kind")
                == "registration.confirmed"
            ),
            None,
        )

    async def confirmed() -> ReadableSpan | None:
        return mail_sent() if mailbox.messages(to=email) else None

    found: ReadableSpan = await eventually(confirmed, timeout=60)
    return found


async def registered_and_mailed(
    mailbox: Mailpit, settings_for: Callable[..., Any], topics: str, people: int = 1
) -> Traced:
    """Participants register one after the other; every span until the last one's
    confirmation mail is out."""
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
        # The event's details first, so the mail waits for nothing but its own path.
        known = AsyncMongoClient[dict[str, Any]](notifications_settings.mongo_url)
        events_known = known[notifications_settings.mongo_db]["events"]
        await eventually(
            lambda: events_known.find_one({"_id": created["id"], "title": {"$ne": None}})
        )
        await known.close()
        sent: ReadableSpan | None = None
        for n in range(people):  # one after the other, each until its mail is out
            sent = await register_and_wait(events.client, created["id"], mailbox, spans, n)
        assert sent is not None
        assert notifications  # kept running until the mail is out

    finished = list(spans.get_finished_spans())
    spans.shutdown()  # the processor stays with the session's provider; the exporter keeps nothing
    return Traced(finished, sent, notifications_settings.mongo_db)


async def test_a_registration_and_its_confirmation_mail_share_one_trace(
    mailbox: Mailpit, settings_for: Callable[..., Any], topics: str
) -> None:
    traced = await registered_and_mailed(mailbox, settings_for, topics)
    finished, sent = traced.spans, traced.sent
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


def _timeline(spans: list[ReadableSpan], since: int) -> str:
    """The spans as lines: start after ``since`` and duration in ms, name, collection."""
    lines = []
    for s in sorted(spans, key=_start):
        collection = (s.attributes or {}).get("db.mongodb.collection", "")
        took = (_end(s) - _start(s)) / 1e6
        lines.append(f"{(_start(s) - since) / 1e6:9.1f} ms {took:7.1f} ms  {s.name} {collection}")
    return "\n".join(lines)


def _start(span: ReadableSpan) -> int:
    return span.start_time or 0


def _end(span: ReadableSpan) -> int:
    return span.end_time or 0


def descendants(spans: list[ReadableSpan], root: ReadableSpan) -> list[ReadableSpan]:
    by_id = {s.context.span_id: s for s in spans if s.context is not None}

    def under(span: ReadableSpan) -> bool:
        parent = span.parent
        while parent is not None:
            if root.context is not None and parent.span_id == root.context.span_id:
                return True
            above = by_id.get(parent.span_id)
            parent = above.parent if above is not None else None
        return False

    return [s for s in spans if under(s)]


def in_sequence(spans: list[ReadableSpan], after: int, before: int) -> int:
    """How many of the spans ran one after the other between ``after`` and ``before`` (the
    most that do not overlap): the round trips that path waited for in turn."""
    chain, last_end = 0, after
    for span in sorted(spans, key=_end):
        if _start(span) >= last_end and _end(span) <= before:
            chain, last_end = chain + 1, _end(span)
    return chain


async def test_a_registration_fact_reaches_the_inbox_and_the_mail_in_few_round_trips(
    mailbox: Mailpit, settings_for: Callable[..., Any], topics: str
) -> None:
    """Read together what can be read together; hand the mail over as soon as its notice is
    stored (its inbox fact is written meanwhile)."""
    # The second: the first has opened the store connections both use.
    traced = await registered_and_mailed(mailbox, settings_for, topics, people=2)
    assert traced.sent.context is not None
    trace_id = traced.sent.context.trace_id
    in_trace = [s for s in traced.spans if s.context is not None and s.context.trace_id == trace_id]
    consumed = next(
        s
        for s in in_trace
        if s.kind == SpanKind.CONSUMER and s.name == "samling.events.registrations process"
    )
    # The registration fact's own commands (the participant's address, on another topic, is
    # handled meanwhile in the same trace).
    store = [
        s
        for s in descendants(in_trace, consumed)
        if s.name.startswith(f"{traced.notifications_db}.")
    ]
    timeline = _timeline([s for s in in_trace if _start(s) >= _start(consumed)], _start(consumed))
    inbox = next(
        s
        for s in sorted(store, key=_start)
        if s.name.endswith(".insert")
        and (s.attributes or {}).get("db.mongodb.collection") == "notifications"
    )
    # Two: the read model with the event's details, then the preferences with the event and
    # the mail chunk (it names the notices before they exist: see delivery). Five before.
    # One more is let pass in each check: a store connection opened on the way (the pool
    # grows when a background task holds one) starts a command late, after its neighbour.
    assert in_sequence(store, _start(consumed), _start(inbox)) <= 3, timeline
    # None between the notice and the sending (its inbox fact is written meanwhile). Two before.
    assert in_sequence(store, _end(inbox), _start(traced.sent)) <= 1, timeline
