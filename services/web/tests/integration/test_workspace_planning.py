"""The coordinator's planning pages without JavaScript, against the real services: a dialogue
conference from a template, errors beside the fields with what was typed kept, the conflict
warnings (on the draft, after each save, and for times being typed), the agenda, publishing,
a new time with a message, and cancelling after a confirmation."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from samling_devtools.testing import call

from services.web.tests.conftest import hidden
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name
OSLO = ZoneInfo("Europe/Oslo")


async def _event(ws: Workspace, event_id: str) -> dict[str, Any]:
    found: dict[str, Any] = await call(
        ws.events.client, "GET", f"/events/{event_id}", 200, headers=ws.token("koordinator")
    )
    return found


def _error_beside(page: str, field: str) -> str:
    """The message shown right above the field (GOV.UK's place for it)."""
    found = re.search(rf'id="{field}-error"><span class="ds-sr-only">[^<]*</span>([^<]*)</p>', page)
    assert found, f"no message beside {field}"
    return html.unescape(found.group(1))


def _value(page: str, field: str) -> str:
    found = re.search(rf'id="{field}" name="{field}" value="([^"]*)"', page)
    assert found, f"no field {field}"
    return html.unescape(found.group(1))


async def _post(client: httpx.AsyncClient, page: str, path: str, **fields: str) -> httpx.Response:
    return await client.post(path, data={"csrf_token": hidden(page, "csrf_token"), **fields})


async def _later_start(ws: Workspace) -> datetime:
    return datetime.fromisoformat((await _event(ws, ws.later))["starts_at"]).astimezone(OSLO)


async def test_a_short_afternoon_from_the_template_with_conflicts_agenda_and_publishing(
    workspace: Workspace,
) -> None:
    ws = workspace
    clash = await _later_start(ws)  # "Verksted: Skriving", the same network, 10 days on
    # The afternoon (three hours) overlaps the workshop and each of its parts stays within
    # one day, at whatever hour the test runs: late in the evening it starts two hours early.
    start = clash - timedelta(hours=2) if clash.hour >= 21 else clash
    async with ws.signed_in("koordinator") as coordinator:
        question = await coordinator.get("/workspace/planning/conference")
        assert question.status_code == 200
        assert 'name="template" value="short_afternoon"' in question.text
        unanswered = await coordinator.get("/workspace/planning/conference/new")
        assert unanswered.status_code == 422
        assert _error_beside(unanswered.text, "template") == "Velg formen på dialogkonferansen"

        path = "/workspace/planning/conference/new?template=short_afternoon"
        form = await coordinator.get(path)
        assert form.status_code == 200
        assert 'id="ends_time"' not in form.text  # the shape decides the end
        wrong = await _post(
            coordinator, form.text, path, form_key=hidden(form.text, "form_key"),
            title="Dialogkonferanse: Vurdering", network_id=ws.network_id,
            starts_on=clash.date().isoformat(), starts_time="", timezone="Europe/Oslo",
            venue="", online_url="ftp://x", capacity="mange",
        )  # fmt: skip
        assert wrong.status_code == 422
        assert _error_beside(wrong.text, "starts_time") == "Skriv klokkeslettet, for eksempel 09:00"
        assert _error_beside(wrong.text, "online_url").startswith("Skriv en lenke")
        assert _error_beside(wrong.text, "capacity").startswith("Skriv antall plasser")
        assert _value(wrong.text, "title") == "Dialogkonferanse: Vurdering"  # kept
        assert 'href="#starts_time"' in wrong.text  # the summary links to the field

        made = await _post(
            coordinator, wrong.text, path, form_key=hidden(wrong.text, "form_key"),
            title="Dialogkonferanse: Vurdering", network_id=ws.network_id,
            starts_on=start.date().isoformat(), starts_time=start.strftime("%H:%M"),
            timezone="Europe/Oslo", venue="Fauske hotell", online_url="", capacity="40",
        )  # fmt: skip
        assert made.status_code == 303, made.text
        draft_path = made.headers["location"]
        event_id = draft_path.rsplit("/", 1)[-1]
        draft = await coordinator.get(draft_path)
        assert draft.status_code == 200
        assert draft.headers["cache-control"] == "no-store"
        text = html.unescape(draft.text)
        assert "er lagret som utkast" in text
        # The conflict with the network's workshop, shown at once on the draft.
        assert "Overlapper med «Verksted: Skriving»" in text
        assert "i samme nettverk" in text
        # Parts 2 and 3 at the meeting; parts 1 and 4 as pre-work and follow-up work.
        assert _value(draft.text, "agenda-0-title") == "Del 2: Praksiseksempler"
        assert _value(draft.text, "agenda-1-title").startswith("Del 3")
        assert "forarbeid på egen enhet" in text
        assert "etterarbeid på egen enhet" in text

        # A part added, one with its end before its start: the error beside that field.
        rows = {
            "agenda-0-title": "Del 2: Praksiseksempler", "agenda-0-day": start.date().isoformat(),
            "agenda-0-starts": start.strftime("%H:%M"),
            "agenda-0-ends": (start + timedelta(minutes=75)).strftime("%H:%M"),
            "agenda-0-description": "Tre kommuner forteller",
            "agenda-1-title": "Del 3", "agenda-1-day": start.date().isoformat(),
            "agenda-1-starts": "10:00", "agenda-1-ends": "11:00", "agenda-1-remove": "yes",
            "agenda-2-title": "Oppsummering", "agenda-2-day": start.date().isoformat(),
            "agenda-2-starts": (start + timedelta(minutes=90)).strftime("%H:%M"),
            "agenda-2-ends": (start + timedelta(minutes=60)).strftime("%H:%M"),
            "agenda-2-description": "",
        }  # fmt: skip
        agenda_path = f"{draft_path}/agenda"
        refused = await _post(coordinator, draft.text, agenda_path, **rows)
        assert refused.status_code == 422
        assert _error_beside(refused.text, "agenda-1-ends") == "Slutten må være etter starten"
        assert _value(refused.text, "agenda-1-title") == "Oppsummering"  # kept, renumbered
        saved = await _post(coordinator, draft.text, agenda_path,
                            **{**rows, "agenda-2-ends": (start + timedelta(minutes=120))
                               .strftime("%H:%M")})  # fmt: skip
        assert saved.status_code == 303
        agenda = (await _event(ws, event_id))["agenda"]
        assert [a["title"] for a in agenda] == ["Del 2: Praksiseksempler", "Oppsummering"]
        assert agenda[0]["description"] == "Tre kommuner forteller"

        # Details: a question set through the API survives a change made on the page.
        await call(ws.events.client, "PUT", f"/events/{event_id}/details",
                   200, headers=ws.token("koordinator"),
                   json={**{k: v for k, v in (await _event(ws, event_id)).items()
                            if k in ("title", "venue", "capacity", "agenda")},
                         "questions": [{"id": "diet", "label": "Allergier?"}]})  # fmt: skip
        details = {"title": "Dialogkonferanse: Vurdering for læring", "venue": "Bodø rådhus",
                   "online_url": "", "capacity": "0", "description": ""}  # fmt: skip
        bad = await _post(coordinator, draft.text, f"{draft_path}/details", **details)
        assert bad.status_code == 422
        assert _value(bad.text, "venue") == "Bodø rådhus"
        assert _error_beside(bad.text, "capacity").startswith("Skriv antall plasser")
        good = await _post(coordinator, draft.text, f"{draft_path}/details",
                           **{**details, "capacity": "45"})  # fmt: skip
        assert good.status_code == 303
        after = html.unescape((await coordinator.get(draft_path)).text)
        saved_event = await _event(ws, event_id)
        assert saved_event["capacity"] == 45
        assert saved_event["questions"][0]["id"] == "diet"
        assert len(saved_event["agenda"]) == 2
        # Right after the save: now the same network and the same venue as the workshop.
        assert "i samme nettverk og på samme sted" in after

        # Times being typed (htmx asks as they change): a week earlier, no conflict.
        earlier = clash - timedelta(days=7)
        typed = await coordinator.get(f"{draft_path}/conflicts", params={
            "starts_on": earlier.date().isoformat(), "starts_time": "12:00",
            "ends_time": "15:00", "venue": "Bodø rådhus"})  # fmt: skip
        assert typed.status_code == 200
        assert "Overlapper" not in typed.text
        assert "<html" not in typed.text  # a fragment for the page

        published = await _post(coordinator, after, f"{draft_path}/publish")
        assert published.status_code == 303
        assert (await _event(ws, event_id))["status"] == "published"
    async with ws.visitor() as anyone:
        calendar = await anyone.get("/")
        assert f'href="/events/{event_id}"' in calendar.text


async def test_a_new_time_with_a_message_and_cancelling_after_a_confirmation(
    workspace: Workspace,
) -> None:
    ws = workspace
    start = await _later_start(ws) + timedelta(days=20)
    async with ws.signed_in("koordinator") as coordinator:
        form = await coordinator.get("/workspace/planning/new")
        fields = {
            "form_key": hidden(form.text, "form_key"), "title": "Temadag: Digital kompetanse",
            "kind": "theme_day", "network_id": "", "starts_on": start.date().isoformat(),
            "starts_time": "09:00", "ends_on": "", "ends_time": "08:00",
            "timezone": "Europe/Oslo", "venue": "", "online_url": "https://møte.example.no/x",
            "capacity": "80", "description": "For alle kommunene", "open_to_all": "yes",
        }  # fmt: skip
        wrong = await _post(coordinator, form.text, "/workspace/planning/new", **fields)
        assert wrong.status_code == 422
        assert _error_beside(wrong.text, "ends_time") == "Slutten må være etter starten"
        made = await _post(coordinator, wrong.text, "/workspace/planning/new",
                           **{**fields, "ends_time": "15:00"})  # fmt: skip
        assert made.status_code == 303, made.text
        event_id = made.headers["location"].rsplit("/", 1)[-1]
        event = await _event(ws, event_id)
        assert (event["kind"], event["network_id"], event["open_to_all"]) == (
            "theme_day", None, True)  # fmt: skip
        assert datetime.fromisoformat(event["ends_at"]).astimezone(OSLO).hour == 15
        page = await coordinator.get(made.headers["location"])
        await _post(coordinator, page.text, f"/workspace/planning/{event_id}/publish")
        await ws.register(event_id, "Rita Registrert")

        path = f"/workspace/planning/{event_id}/reschedule"
        form = await coordinator.get(path)
        assert form.status_code == 200
        assert 'id="message"' in form.text  # someone may be registered: they are told
        moved_to = start + timedelta(days=7)
        moved = await _post(coordinator, form.text, path, starts_on=moved_to.date().isoformat(),
                            starts_time="10:00", ends_on="", ends_time="14:00",
                            message="Vi flytter en uke på grunn av vinterferien.")  # fmt: skip
        assert moved.status_code == 303
        event = await _event(ws, event_id)
        assert datetime.fromisoformat(event["starts_at"]).astimezone(OSLO) == datetime.combine(
            moved_to.date(), datetime.min.time().replace(hour=10), tzinfo=OSLO
        )
        registrations = await ws.registrations(event_id)
        assert [r["status"] for r in registrations] == ["confirmed"]  # kept

        confirm = await coordinator.get(f"/workspace/planning/{event_id}/cancel")
        assert confirm.status_code == 200
        assert "Dette kan ikke angres" in html.unescape(confirm.text)
        too_long = await _post(coordinator, confirm.text,
                               f"/workspace/planning/{event_id}/cancel", message="x" * 1001)  # fmt: skip
        assert too_long.status_code == 422
        assert _error_beside(too_long.text, "message") == "Bruk 1000 tegn eller færre"
        assert (await _event(ws, event_id))["status"] == "published"
        cancelled = await _post(coordinator, confirm.text, f"/workspace/planning/{event_id}/cancel",
                                message="Innleder er syk.")  # fmt: skip
        assert cancelled.status_code == 303
        event = await _event(ws, event_id)
        assert (event["status"], event["cancel_reason"]) == ("cancelled", "Innleder er syk.")
        gone = await coordinator.get(f"/workspace/planning/{event_id}/cancel")
        assert gone.status_code == 303  # nothing more to cancel


async def test_a_forged_or_old_form_is_shown_again_and_creates_nothing(
    workspace: Workspace,
) -> None:
    async with workspace.signed_in("koordinator") as coordinator:
        form = await coordinator.get("/workspace/planning/new")
        before = await _drafts(workspace)
        sent = await _post(coordinator, form.text, "/workspace/planning/new",
                           form_key="forged", title="Falsk", kind="workshop",
                           starts_on="2030-01-01", starts_time="09:00", ends_time="10:00",
                           timezone="Europe/Oslo", venue="Et sted", capacity="5")  # fmt: skip
        assert sent.status_code == 422
        assert _value(sent.text, "title") == "Falsk"
        assert "Skjemaet var utløpt" in sent.text
        forged_csrf = await coordinator.post("/workspace/planning/new", data={"title": "x"})
        assert forged_csrf.status_code == 403
        assert await _drafts(workspace) == before


async def _drafts(ws: Workspace) -> int:
    page = await call(ws.events.client, "GET", "/events", 200, headers=ws.token("koordinator"),
                      params={"status": "draft", "limit": 200})  # fmt: skip
    return len(page["items"])
