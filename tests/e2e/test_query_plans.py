"""Every query the services issue is answered from an index, or is a known exception.

The journey (``test_journey.py``) runs through the three services with a recorder on PyMongo's
command monitoring, then the services start again on the journey's databases and every list,
search, feed and inbox endpoint is read once. Each distinct query shape is then explained on
the database it ran against: FerretDB answers with PostgreSQL's plan, and the test PostgreSQL
plans with ``enable_seqscan=off``, so a ``Seq Scan`` means no index can serve the filter, on
ten rows as on ten million. A scan is allowed only for the shapes in ``KNOWN_SCANS``, each with
the reason it is acceptable; a new shape that scans fails the test with its collection and
filter.
"""

import importlib.util
import re
from collections.abc import Callable, Coroutine, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.infra import Stack
from samling_devtools.mailpit import Mailpit
from samling_devtools.query_plans import (
    RecordedQuery,
    explain_plan,
    recorder,
    scanned_tables,
)
from samling_devtools.testing import bearer, call, running
from samling_events.adapters.api.tokens import manage_token
from samling_events.container import started_in
from samling_events.main import create as create_events
from samling_events.settings import EventsSettings
from samling_network.main import create as create_network
from samling_network.settings import NetworkSettings
from samling_notifications.domain.webhooks import Endpoint
from samling_notifications.main import create as create_notifications
from samling_notifications.settings import NotificationsSettings
from samling_runtime.auth import Role
from samling_runtime.settings import ServiceSettings

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

REGION = "rkk-salten"

#: Query shapes that scan (a regular expression matched against the shape as printed on
#: failure: collection, then the filter with values replaced by types), and why. FerretDB v1
#: pushes down only top-level equalities: ranges, $in, $or and regular expressions are done
#: after reading what the equalities matched. Everything not listed must use an index.
KNOWN_SCANS: dict[str, str] = {
    # Collections that do not grow with use.
    r"^(regions|municipalities|contact_lists) ": "one document per region or municipality",
    r"^mail_chunks \{\}": "only the e-mail chunks in flight; each is deleted when sent",
    r"^\w+_sent \{\"recorded_at\"": (
        "the relay's sent markers: each sweep deletes those older than its horizon (minutes)"
    ),
    r"^preferences \{\"_id\": \{\"\$in\"": (
        "the fan-out's preferences, 500 recipients per $in: only people who changed a default "
        "have a document, and one scan of those beats a lookup per recipient"
    ),
    # Once per start: a timeline puts copies written before it (or whose bucket a crash left
    # unnoted) in their buckets (samling_runtime.timeline.TimelineIndex.relist).
    r"^(reports|events) \{\}": "a timeline's relist of every copy, once when a service starts",
    r"^reminders \{\}": "whether there are reminders at all, once at start (limit 1, pushed down)",
    # Retention (#15, #14) reads by the hour that came due (samling_runtime.time_buckets):
    # notices, read states, idempotency keys, consumed-event markers and superseded revisions
    # are equalities now, as are the events service's seat repair and anonymisation and the
    # reminder poll (an hour of reminders and that hour's runs, by ``_due_at_bucket``). Once per
    # database: the back-fill of the documents written before their collection had buckets
    # (samling_runtime.time_buckets.backfill, remembered by a mark in sweep_marks).
    r"^\w+ \{\"_\w+_bucket\": \{\"\$exists\"": "a bucket back-fill, once per database",
}

Journey = Callable[[Stack, Mailpit, Callable[..., Any]], Coroutine[Any, Any, None]]


def _journey() -> Journey:
    """The journey test's function (test modules are not a package under importlib mode)."""
    path = Path(__file__).with_name("test_journey.py")
    spec = importlib.util.spec_from_file_location("samling_journey", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return cast(Journey, module.test_from_network_to_experience_report)


async def test_every_query_of_the_journey_and_the_read_endpoints_uses_an_index(
    stack: Stack, mailbox: Mailpit, settings_for: Callable[..., Any]
) -> None:
    made: dict[type[ServiceSettings], Any] = {}

    def remembering(cls: type[ServiceSettings], **overrides: Any) -> Any:
        made[cls] = settings_for(cls, **overrides)
        return made[cls]

    queries = recorder()
    queries.queries.clear()
    queries.recording = True
    try:
        await _journey()(stack, mailbox, remembering)
        async with (
            running(create_network(made[NetworkSettings])) as network,
            running(create_events(made[EventsSettings])) as events,
            running(create_notifications(made[NotificationsSettings])) as notifications,
        ):
            queries.recording = False
            net = await network.db["networks"].find_one({})
            event = await events.db["events"].find_one({})
            report = await network.db["reports"].find_one({})
            registration = await events.db["registrations"].find_one({})
            recipient = await notifications.db["recipients"].find_one({"email": {"$ne": None}})
            assert net
            assert event
            assert report
            assert registration
            assert recipient
            endpoint = Endpoint(
                id="whe_explain",
                owner_id="NO-1804",
                url="https://hr.example.no/hook",
                event_types=["no.samling.events.registration.confirmed.v1"],
                secret="whsec_explain",
                created_at=datetime.now(UTC),
            )
            await notifications.db["webhook_endpoints"].insert_one(
                {**endpoint.model_dump(), "_id": endpoint.id, "_version": 1}
            )
            queries.recording = True
            await _read_everything(
                network.client,
                events.client,
                notifications.client,
                network_id=net["_id"],
                event_id=event["_id"],
                report_id=report["_id"],
                registration_id=registration["_id"],
                municipality_id="NO-1804",
                email=recipient["email"],
                manage=manage_token(
                    registration["participant_id"],
                    made[EventsSettings].participant_secret.get_secret_value(),
                ),
            )
            # The sweep that fills freed seats: the events to come (those published above)
            # and their waiting lists, not every waiting list there ever was.
            await started_in(events.app).get().sweeper.fill_free_seats()
    finally:
        queries.recording = False

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.mongo_url)
    scans: dict[str, str] = {}
    try:
        await _seed_empty_collections(client, queries.queries.values())
        for shape, query in sorted(queries.queries.items()):
            plan = await explain_plan(client[query.database], query)
            if scanned_tables(plan) and not any(re.search(k, shape) for k in KNOWN_SCANS):
                scans[shape] = f"{query.command} on {query.database}"
    finally:
        await client.close()
    assert len(queries.queries) > 50, "the recorder saw too few queries to mean anything"
    assert not scans, "queries that scan their collection:\n" + "\n".join(
        f"  {shape}   ({where})" for shape, where in scans.items()
    )


async def _seed_empty_collections(
    client: AsyncMongoClient[dict[str, Any]], queries: Iterable[RecordedQuery]
) -> None:
    """A document in every collection a query went to: FerretDB makes a collection's table
    on its first write, and explains a query on a table that does not exist with no plan at
    all, so the shapes of collections the journey leaves empty (webhooks, preferences,
    reminders, ...) would pass unexplained."""
    for database, collection in sorted({(q.database, q.collection) for q in queries}):
        target = client[database][collection]
        if await target.find_one({}, {"_id": 1}) is None:
            await target.insert_one({"_id": "explain-seed"})


async def _read_everything(
    network: Any,
    events: Any,
    notifications: Any,
    *,
    network_id: str,
    event_id: str,
    report_id: str,
    registration_id: str,
    municipality_id: str,
    email: str,
    manage: str,
) -> None:
    """Every read endpoint once, as its usual caller."""
    coordinator = bearer("u-coord", Role.COORDINATOR, region_id=REGION)
    admin = bearer(
        f"admin-{municipality_id}", Role.MUNICIPALITY_ADMIN, municipality_id=municipality_id
    )
    person = bearer("u-reader", Role.PARTICIPANT, email=email)
    for path in (
        "/regions",
        f"/regions/{REGION}",
        "/municipalities",
        f"/municipalities?region_id={REGION}",
        f"/municipalities/{municipality_id}",
        f"/municipalities/{municipality_id}/memberships",
        "/networks",
        f"/networks?region_id={REGION}",
        f"/networks?municipality_id={municipality_id}",
        f"/networks/{network_id}",
        f"/networks/{network_id}/memberships",
        f"/networks/{network_id}/announcements",
        f"/reports/{report_id}",
        f"/reports/{report_id}/revisions",
    ):
        await call(network, "GET", path, 200, headers=coordinator)
    for path in ("/reports", "/reports?q=lese", f"/reports?network_id={network_id}"):
        await call(network, "GET", path, 200, headers=admin)
        await call(network, "GET", path, 200, headers=coordinator)
    for path in (
        "/events",
        f"/events?network_id={network_id}",
        f"/events?region_id={REGION}",
        "/events?status=completed",
        # The public calendar's filters (the web app's).
        f"/events?region_id={REGION}&status=published&kind=workshop",
        f"/events?region_id={REGION}&status=published&municipality_id={municipality_id}",
        f"/events/{event_id}",
        f"/events/{event_id}/registrations",
        f"/events/{event_id}/registrations/{registration_id}",
        f"/events/{event_id}/attendance",
        f"/events/{event_id}/figures",
        f"/events/{event_id}/assignments",
        f"/events/{event_id}/evaluations",
        f"/events/{event_id}/conflicts",
        f"/municipalities/{municipality_id}/registrations",
    ):
        await call(events, "GET", path, 200, headers=coordinator)
    # What the public web app reads, and a registration it makes (the municipality's e-mail
    # domains are looked up) on an event of its own.
    await call(events, "GET", f"/events/{event_id}/eligibility", 200)
    await call(events, "GET", f"/manage/{manage}", 200)
    await call(events, "GET", "/me/registrations", 200, headers=person)
    fresh = await call(
        events,
        "POST",
        "/events",
        201,
        headers=coordinator,
        json={
            "kind": "workshop",
            "network_id": network_id,
            "title": "Verksted",
            "starts_at": "2031-02-10T09:00:00+01:00",
            "ends_at": "2031-02-10T15:00:00+01:00",
            "venue": "Bodø",
            "capacity": 10,
        },
    )
    await call(events, "POST", f"/events/{fresh['id']}/publish", 200, headers=coordinator)
    await call(events, "GET", f"/events/{fresh['id']}/eligibility", 200)
    await call(
        events,
        "POST",
        f"/events/{fresh['id']}/registrations",
        201,
        headers=bearer("client-web", Role.WEB),
        json={
            "name": "Kari Nordmann",
            "email": "kari@example.no",
            "municipality_id": municipality_id,
            "role": "Lærer",
        },
    )
    # A coordinator's recurring meetings read together, and part 3's groups allocated (again),
    # read and changed (the web app's workspace pages).
    series = await call(
        events,
        "POST",
        "/series",
        201,
        headers=coordinator,
        json={
            "kind": "network_meeting",
            "network_id": network_id,
            "title": "Nettverksmøte",
            "starts_at": "2031-03-04T18:00:00+01:00",
            "ends_at": "2031-03-04T20:00:00+01:00",
            "venue": "Fauske",
            "capacity": 10,
            "rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=3",
        },
    )
    await call(events, "GET", f"/series/{series['series_id']}", 200, headers=coordinator)
    for _ in range(2):
        groups = await call(
            events, "POST", f"/events/{event_id}/groups", 200, headers=coordinator,
            json={"size": 2},
        )  # fmt: skip
    await call(events, "GET", f"/events/{event_id}/groups", 200, headers=coordinator)
    first = groups["groups"][0]["registration_ids"]
    if first:
        await call(events, "POST", f"/events/{event_id}/groups/moves", 200, headers=coordinator,
                   json={"registration_id": first[0], "group": 0})  # fmt: skip
    for path in (
        f"/events/{event_id}/calendar.ics",
        f"/calendars/networks/{network_id}.ics",
        f"/calendars/municipalities/{municipality_id}.ics",
    ):
        feed = await events.get(path, headers=coordinator)
        assert feed.status_code == 200, (path, feed.text)
    for path in ("/inbox", "/inbox/unread-count", "/preferences/me", "/subscriptions"):
        await call(notifications, "GET", path, 200, headers=person)
    await call(notifications, "GET", "/subscriptions", 200, headers=admin)
    for path in ("/webhooks", "/webhooks/whe_explain", "/webhooks/whe_explain/deliveries"):
        await call(notifications, "GET", path, 200, headers=admin)
