"""Recurring meetings, groups for part 3 and evaluation results in the coordinator's
workspace, against the real network and events services, Kafka and FerretDB, signed in
through the development OpenID Connect provider: the forms without JavaScript, messages
beside the fields, what the events API ends up holding, and who may open the pages."""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from samling_devtools.oidc import DEMO_USERS, DemoUser, OidcServer
from samling_devtools.processes import free_port
from samling_devtools.testing import call
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings

from services.web.tests.conftest import hidden
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name
OSLO = ZoneInfo("Europe/Oslo")
OTHER_REGION = DemoUser(
    "koordinator-helgeland",
    "Hilde Helgeland",
    "hilde.koordinator@rkk-helgeland.no",
    ("coordinator",),
    region="rkk-helgeland",
)


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[OidcServer]:
    """The demo users and a coordinator of another region."""
    with OidcServer(free_port(), users=(*DEMO_USERS, OTHER_REGION)).running() as server:
        yield server


async def post_form(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """Open the page and send one of its forms with the session's token (and form key)."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    fields = {"csrf_token": hidden(shown.text, "csrf_token"), **data}
    if 'name="form_key"' in shown.text:
        fields["form_key"] = hidden(shown.text, "form_key")
    return await client.post(action, data=fields)


def next_tuesday(weeks_ahead: int = 1) -> date:
    today = datetime.now(OSLO).date()
    return today + timedelta(days=(1 - today.weekday()) % 7 + 7 * weeks_ahead)


async def series_of(ws: Workspace, series_id: str) -> list[dict[str, Any]]:
    found = await call(ws.events.client, "GET", f"/series/{series_id}", 200,
                       headers=ws.token("koordinator"))  # fmt: skip
    events: list[dict[str, Any]] = found["events"]
    return events


async def fortnightly(ws: Workspace, title: str, weeks_ahead: int, count: int) -> dict[str, Any]:
    """A series made through the events API: ``count`` evening meetings (18-20) every second
    week from the Tuesday ``weeks_ahead`` weeks on."""
    day = next_tuesday(weeks_ahead).isoformat()
    body = {"kind": "network_meeting", "network_id": ws.network_id, "title": title,
            "venue": "Bodø", "capacity": 5, "rrule": f"FREQ=WEEKLY;INTERVAL=2;COUNT={count}",
            "starts_at": f"{day}T18:00:00+01:00", "ends_at": f"{day}T20:00:00+01:00"}  # fmt: skip
    made: dict[str, Any] = await call(ws.events.client, "POST", "/series", 201,
                                      headers=ws.token("koordinator"), json=body)  # fmt: skip
    return made


def local(event: dict[str, Any], key: str = "starts_at") -> datetime:
    return datetime.fromisoformat(event[key]).astimezone(OSLO)


async def test_meetings_every_second_tuesday_shown_together_and_changed(
    workspace: Workspace,
) -> None:
    first = next_tuesday()
    async with workspace.signed_in("koordinator") as coordinator:
        # Mistakes: each message beside its field, what was typed kept.
        refused = await post_form(coordinator, "/workspace/series/new", "/workspace/series/new", {
            "title": "", "kind": "network_meeting", "network_id": workspace.network_id,
            "first_date": first.isoformat(), "interval": "2", "count": "4",
            "until": (first + timedelta(days=60)).isoformat(), "starts": "18:00",
            "ends": "17:00", "venue": "Fauske hotell", "capacity": "20",
        })  # fmt: skip
        assert refused.status_code == 400
        assert 'id="error-summary"' in refused.text
        for field in ("title", "count", "ends"):
            assert f'id="{field}-error"' in refused.text, field
            assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', refused.text), field
        assert "Skriv inn en tittel på møtene" in refused.text
        assert "Skriv inn enten hvor mange ganger eller siste dato, ikke begge" in refused.text
        assert "Møtet må slutte etter at det starter" in refused.text
        assert 'value="Fauske hotell"' in refused.text

        planned = await post_form(coordinator, "/workspace/series/new", "/workspace/series/new", {
            "title": "Nettverksmøte: Lesing", "kind": "network_meeting",
            "network_id": workspace.network_id, "first_date": first.isoformat(),
            "interval": "2", "count": "4", "until": "", "starts": "18:00", "ends": "20:00",
            "venue": "Fauske hotell", "capacity": "20",
        })  # fmt: skip
        assert planned.status_code == 303, planned.text
        page_path = planned.headers["location"]
        series_id = page_path.rsplit("/", 1)[1]
        meetings = await series_of(workspace, series_id)
        # Every second Tuesday at 18:00 Norwegian time, four times, planned as drafts.
        starts = [local(m) for m in meetings]
        assert [s.weekday() for s in starts] == [1, 1, 1, 1]
        assert [(b - a).days for a, b in itertools.pairwise(starts)] == [14, 14, 14]
        assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
        assert {m["status"] for m in meetings} == {"draft"}

        shown = await coordinator.get(page_path)
        assert shown.status_code == 200
        assert shown.headers["cache-control"] == "no-store"
        assert "Møtene er planlagt som utkast" in shown.text
        assert all(f'id="m-{m["id"]}"' in shown.text for m in meetings)
        listed = await coordinator.get("/workspace/series")
        assert f'href="/workspace/series/{series_id}"' in listed.text

        # The whole series published, then one meeting cancelled with a message.
        published = await post_form(
            coordinator, page_path, f"/workspace/series/{series_id}/publish", {}
        )
        assert published.status_code == 303
        assert {m["status"] for m in await series_of(workspace, series_id)} == {"published"}
        one = meetings[1]["id"]
        confirm = f"/workspace/series/{series_id}/cancel?occurrence={one}"
        asked = await coordinator.get(confirm)
        assert "Avlyse dette møtet?" in asked.text
        cancelled = await post_form(coordinator, confirm, confirm, {"reason": "Sykdom"})
        assert cancelled.status_code == 303
        after = {m["id"]: m for m in await series_of(workspace, series_id)}
        assert [after[m["id"]]["status"] for m in meetings] == [
            "published", "cancelled", "published", "published",
        ]  # fmt: skip
        assert after[one]["cancel_reason"] == "Sykdom"

        # One meeting moved a day later; a wrong time is a message beside that meeting's field.
        third = meetings[2]["id"]
        wrong = await post_form(coordinator, page_path, f"/workspace/series/{series_id}/reschedule",
                                {"occurrence": third, f"date-{third}": "",
                                 f"starts-{third}": "18:00", f"ends-{third}": "19:00"})  # fmt: skip
        assert wrong.status_code == 400
        assert f'id="date-{third}-error"' in wrong.text
        assert f'href="#date-{third}"' in wrong.text
        day = (local(meetings[2]) + timedelta(days=1)).date().isoformat()
        moved = await post_form(coordinator, page_path, f"/workspace/series/{series_id}/reschedule",
                                {"occurrence": third, f"date-{third}": day,
                                 f"starts-{third}": "09:00", f"ends-{third}": "11:00"})  # fmt: skip
        assert moved.status_code == 303
        assert (
            local((await series_of(workspace, series_id))[2]).isoformat().startswith(f"{day}T09:00")
        )

        # Every meeting to come at another time of day, each on its own date.
        later = await post_form(coordinator, page_path, f"/workspace/series/{series_id}/reschedule",
                                {"all_starts": "17:00", "all_ends": "19:30"})  # fmt: skip
        assert later.status_code == 303
        now = await series_of(workspace, series_id)
        coming = [m for m in now if m["status"] != "cancelled"]
        assert {(local(m).hour, local(m).minute) for m in coming} == {(17, 0)}
        assert {(local(m, "ends_at").hour, local(m, "ends_at").minute) for m in coming} == {
            (19, 30)
        }
        assert local(now[2]).date().isoformat() == day  # the moved one keeps its new date
        assert local(now[1]).hour == 18  # the cancelled one stays as it was

        # The rest cancelled at once.
        everything = f"/workspace/series/{series_id}/cancel"
        assert "Avlyse alle kommende møter?" in (await coordinator.get(everything)).text
        assert (await post_form(coordinator, everything, everything, {})).status_code == 303
        assert {m["status"] for m in await series_of(workspace, series_id)} == {"cancelled"}


@pytest.fixture(scope="module")
async def conference(workspace: Workspace) -> str:
    """A dialogue conference that starts in a minute (so it can be evaluated soon), with
    people from Bodø and Fauske."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=60)
    municipalities = ["NO-1804"] * 4 + ["NO-1841"] * 2
    people = {f"Deltaker {chr(65 + n)} Dialog": m for n, m in enumerate(municipalities)}
    return await workspace.conference("Dialogkonferanse: Lesing", starts, people)


async def groups_of(ws: Workspace, event_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await call(ws.events.client, "GET", f"/events/{event_id}/groups", 200,
                                       headers=ws.token("koordinator"))  # fmt: skip
    return found


async def test_groups_allocated_one_person_moved_and_the_move_kept(
    workspace: Workspace, conference: str
) -> None:
    path = f"/workspace/events/{conference}/groups"
    async with workspace.signed_in("koordinator") as coordinator:
        before = await coordinator.get(path)
        assert before.status_code == 200
        assert "Ingen grupper ennå" in before.text
        too_small = await post_form(coordinator, path, path, {"size": "1"})
        assert too_small.status_code == 400
        assert 'id="size-error"' in too_small.text
        assert 'value="1"' in too_small.text

        allocated = await post_form(coordinator, path, path, {"size": "3"})
        assert allocated.status_code == 303
        groups = (await groups_of(workspace, conference))["groups"]
        assert [len(g["registration_ids"]) for g in groups] == [3, 3]
        page = await coordinator.get(path)
        for number in (1, 2):
            heading, rest = page.text.split(f'id="group-{number - 1}">', 1)[1].split("</h2>", 1)
            assert heading == f"Gruppe {number}"
            # Each group mixes the two municipalities.
            assert "Kommuner: Bodø, Fauske" in rest.split("</p>", 1)[0]

        mover = groups[0]["registration_ids"][0]
        moved = await post_form(coordinator, path, f"{path}/moves",
                                {"registration_id": mover, "group": "1", "name": "X"})  # fmt: skip
        assert moved.status_code == 303
        assert mover in (await groups_of(workspace, conference))["groups"][1]["registration_ids"]

        # One more registers; allocating again includes her and keeps the move.
        await workspace.register(conference, "Deltaker Sen Dialog", "NO-1841")
        waiting = await coordinator.get(path)
        assert "Ikke i en gruppe ennå (1)" in waiting.text
        again = await post_form(coordinator, path, path, {"size": "3"})
        assert again.status_code == 303
        after = await groups_of(workspace, conference)
        assert mover in after["groups"][1]["registration_ids"]
        assert sum(len(g["registration_ids"]) for g in after["groups"]) == 7
        shown = await coordinator.get(path)
        assert "Gruppene er fordelt." in shown.text
        person = shown.text.split(f'id="g-{mover}"', 1)[1].split("</li>", 1)[0]
        assert "Flyttet for hånd" in person


async def test_the_evaluation_results_averages_answers_and_comments(
    workspace: Workspace, conference: str
) -> None:
    path = f"/workspace/events/{conference}/evaluation"
    async with workspace.signed_in("koordinator") as coordinator:
        none_yet = await coordinator.get(path)
        assert none_yet.status_code == 200
        assert "Ingen har evaluert arrangementet ennå" in none_yet.text
        starts = datetime.fromisoformat(
            (await call(workspace.events.client, "GET", f"/events/{conference}", 200,
                        headers=workspace.token("koordinator")))["starts_at"]
        )  # fmt: skip
        await asyncio.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds() + 1))
        people = [
            r for r in await workspace.registrations(conference) if r["status"] == "confirmed"
        ]
        secret = EventsSettings().participant_secret.get_secret_value()
        answers = [
            {"rating": 5, "useful_for_practice": True, "comment": "Godt <b>gruppearbeid</b>"},
            {"rating": 2, "comment": ""},
            {"rating": 4, "useful_for_practice": False, "comment": "For kort tid"},
        ]
        for person, answer in zip(people, answers, strict=False):
            token = manage_token(person["participant_id"], secret)
            await call(workspace.events.client, "PUT",
                       f"/manage/{token}/registrations/{person['id']}/evaluation", 204,
                       json=answer)  # fmt: skip
        page = await coordinator.get(path)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert "Evalueringer mottatt: 3" in page.text
    rating = page.text.split('data-question="rating"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", rating) == ["3", "Snitt 3,67 av 5"]
    useful = page.text.split('data-question="useful_for_practice"', 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>([^<]*)</td>", useful) == ["2", "Ja: 1 av 2"]
    assert "Kommentarer (2)" in page.text
    assert "Godt &lt;b&gt;gruppearbeid&lt;/b&gt;" in page.text
    assert "For kort tid" in page.text


def pages(ws: Workspace, event_id: str, series_id: str) -> list[str]:
    return [
        "/workspace/series",
        "/workspace/series/new",
        f"/workspace/series/{series_id}",
        f"/workspace/series/{series_id}/cancel",
        f"/workspace/events/{event_id}/groups",
        f"/workspace/events/{event_id}/evaluation",
    ]


@pytest.fixture(scope="module")
async def series_id(workspace: Workspace) -> str:
    found: str = (await fortnightly(workspace, "Tilgang", 2, 2))["series_id"]
    return found


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("koordinator", [200, 200, 200, 200, 200, 200]),
        # Another region's coordinator: that region's series does not exist for her, and its
        # event's groups and evaluation are not hers to see.
        ("koordinator-helgeland", [200, 200, 404, 404, 403, 403]),
        ("bodo-admin", [403] * 6),
        ("deltaker", [403] * 6),
    ],
)
async def test_who_may_open_the_pages(
    workspace: Workspace, conference: str, series_id: str, username: str, expected: list[int]
) -> None:
    coordinator = workspace.token("koordinator")
    await call(workspace.events.client, "POST", f"/events/{conference}/groups", 200,
               headers=coordinator, json={"size": 3})  # fmt: skip
    async with workspace.signed_in(username) as person:
        answers = [await person.get(path) for path in pages(workspace, conference, series_id)]
        assert [a.status_code for a in answers] == expected
        assert all(a.headers["content-type"].startswith("text/html") for a in answers)
        front = await person.get("/")
        coordinates = username.startswith("koordinator")
        assert ('href="/workspace/series"' in front.text) is coordinates
        if username == "koordinator":
            return
        # Changing the region's groups or series: refused, and nothing changed.
        token = hidden(front.text, "csrf_token")
        before = await groups_of(workspace, conference)
        member = before["groups"][0]["registration_ids"][0]
        moved = await person.post(f"/workspace/events/{conference}/groups/moves",
                                  data={"csrf_token": token, "registration_id": member,
                                        "group": "1"})  # fmt: skip
        published = await person.post(f"/workspace/series/{series_id}/publish",
                                      data={"csrf_token": token})  # fmt: skip
    assert (moved.status_code, published.status_code) == ((403, 404) if coordinates else (403, 403))
    assert await groups_of(workspace, conference) == before
    assert {m["status"] for m in await series_of(workspace, series_id)} == {"draft"}


async def test_anonymous_visitors_are_asked_to_sign_in(
    workspace: Workspace, conference: str, series_id: str
) -> None:
    async with workspace.visitor() as anonymous:
        for path in pages(workspace, conference, series_id):
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin?next="), path
