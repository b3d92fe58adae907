"""Demo for the events service: an upcoming dialogue conference in RKK Salten's school
leaders' network, from the one-day template, with participants and a waiting list.

Runs after the network demo (``samling_network.demo``) through the public APIs. Seeding again
changes nothing: an existing conference with the same title is reused, and registrations are
keyed by person, so a repeat is refused instead of counted twice.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from samling_devtools.oidc.users import DEMO_USERS

SIGNS_IN = next(u for u in DEMO_USERS if "participant" in u.roles)
"""The demo participant (``deltaker``): signed in, he finds his seat under "My registrations"."""
TITLE = "Dialogkonferanse: Lesing i alle fag"
PARTICIPANTS = [
    ("Kari Nordmann", "kari.nordmann@example.no", "NO-1804", "lærer"),
    (SIGNS_IN.name, SIGNS_IN.email, "NO-1804", "lærer"),
    ("Per Ås", "per.as@example.no", "NO-1804", "rektor"),
    ("Siri Ødegård", "siri.odegard@example.no", "NO-1841", "lærer"),
    ("Nils Bæk", "nils.baek@example.no", "NO-1841", "inspektør"),
    ("Åsa Lindqvist", "asa.lindqvist@example.no", "NO-1840", "lærer"),
    ("Jørn Hætta", "jorn.haetta@example.no", "NO-1840", "rektor"),
    ("Marte Fjøsne", "marte.fjosne@example.no", "NO-1804", "spesialpedagog"),
]
CAPACITY = 5


def _first_weekday_next_month() -> datetime:
    oslo = ZoneInfo("Europe/Oslo")
    today = datetime.now(oslo)
    first = (today.replace(day=1) + timedelta(days=32)).replace(
        day=1, hour=9, minute=0, second=0, microsecond=0
    )
    while first.weekday() >= 5:
        first += timedelta(days=1)
    return first


def seed_events_demo(network_url: str, events_url: str, token: str) -> list[str]:
    """Create the conference and its registrations; returns lines to print."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30, headers=headers) as client:
        networks = client.get(f"{network_url}/networks").raise_for_status().json()["items"]
        school = next(n for n in networks if n["field"] == "school")
        existing = client.get(f"{events_url}/events", params={"network_id": school["id"]}).json()
        event = next((e for e in existing.get("items", []) if e["title"] == TITLE), None)
        if event is None:
            planned = (
                client.post(
                    f"{events_url}/events/from-template",
                    json={
                        "template": "one_day",
                        "network_id": school["id"],
                        "title": TITLE,
                        "starts_at": _first_weekday_next_month().isoformat(),
                        "venue": "Bodø rådhus, Kongens gate 29",
                        "capacity": CAPACITY,
                    },
                )
                .raise_for_status()
                .json()
            )
            event = planned["event"]
        if event["status"] == "draft":
            client.post(f"{events_url}/events/{event['id']}/publish").raise_for_status()
        for name, email, municipality, role in PARTICIPANTS:
            _register(
                client,
                events_url,
                event["id"],
                {
                    "name": name,
                    "email": email,
                    "municipality_id": municipality,
                    "role": role,
                    "language": "nb",
                    "answers": {},
                },
            )
    return [
        f"Demo conference: {TITLE} ({CAPACITY} seats, {len(PARTICIPANTS)} registered)",
        f'  curl -s -H "Authorization: Bearer $(uv run samling token coordinator)" '
        f"{events_url}/events/{event['id']}/registrations",
        f"  curl -s {events_url}/calendars/municipalities/NO-1804.ics   # Bodø's calendar feed",
    ]


def _register(client: httpx.Client, url: str, event_id: str, body: dict[str, Any]) -> None:
    # The events service learns the network's members from Kafka; give it a moment.
    for _ in range(60):
        response = client.post(f"{url}/events/{event_id}/registrations", json=body)
        if response.status_code in (201, 409):  # 409: already registered (seeded before)
            return
        time.sleep(0.5)
    response.raise_for_status()
