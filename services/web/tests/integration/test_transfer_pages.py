"""The transfer plan's pages (issue #17), against the real network and events services, Kafka
and FerretDB: the participant names a manager from "my registrations" and writes a note; the
manager opens the plan through their own link, reads the note and agrees to share."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from samling_devtools.testing import call
from samling_events.adapters.api.transfer_sides import manager_token
from samling_events.settings import EventsSettings
from samling_web import formatting

from services.web.tests.conftest import World, hidden
from services.web.tests.integration.test_pages import person, send_form
from services.web.tests.integration.test_participant_pages import link_of

pytestmark = pytest.mark.integration

NOTE = "Prøve lesestrategier i alle fag på 7. trinn."


async def test_participant_and_manager_work_the_plan_through_the_pages(world: World) -> None:
    event_id = await world.plain(
        "Kurs: Lesestrategier", "course_seminar", world.starts + timedelta(days=45)
    )
    tora = person("Tora Overføring")
    async with world.browser() as browser:
        assert (await send_form(browser, event_id, **tora)).status_code == 303
    registration = next(
        r for r in await world.registrations(event_id) if r["email"] == tora["email"]
    )
    assert registration["status"] == "confirmed"
    link, registration_id = link_of(registration), registration["id"]
    plan_path = f"{link}/transfer/{registration_id}"

    async with world.browser() as participant:
        mine = await participant.get(link)
        assert "Overføringsplan" in mine.text
        assert f'action="{plan_path}/manager"' in mine.text
        csrf = hidden(mine.text, "csrf_token")
        refused = await participant.post(
            f"{plan_path}/manager",
            data={"csrf_token": csrf, "manager_name": "Ola Leder", "manager_email": "nope"},
        )
        assert refused.status_code == 303
        assert refused.headers["location"] == link
        again = await participant.get(link)
        assert "Oppgi navnet og en gyldig e-postadresse til lederen din." in again.text

        named = await participant.post(
            f"{plan_path}/manager",
            data={
                "csrf_token": csrf,
                "manager_name": "Ola Leder",
                "manager_email": "ola.leder@example.no",
            },
        )
        assert named.status_code == 303
        assert named.headers["location"] == plan_path
        plan = await participant.get(plan_path)
        assert plan.status_code == 200
        assert plan.headers["cache-control"] == "no-store"
        assert "Lederen din er oppgitt og får en e-post med sin egen lenke" in plan.text
        for title in ("Før arrangementet", "Underveis", "Etter arrangementet"):
            assert title in plan.text
        assert "Mål: hva vil du oppnå, for deg selv?" in plan.text
        assert "Lederen din: Ola Leder." in plan.text
        assert f'href="{plan_path}"' in (await participant.get(link)).text

        wrote = await participant.post(
            f"{plan_path}/before/notes",
            data={"csrf_token": csrf, "field": "goals_me", "text": NOTE},
        )
        assert wrote.status_code == 303
        assert wrote.headers["location"] == plan_path
        plan = await participant.get(plan_path)
        assert "Notatet ditt er lagret." in plan.text
        assert NOTE in plan.text
        proposed = await participant.post(
            f"{plan_path}/before/sharing/coordinators/propose", data={"csrf_token": csrf}
        )
        assert proposed.status_code == 303
        plan = await participant.get(plan_path)
        assert "Du har foreslått å dele denne samtalen." in plan.text
        empty = await participant.post(
            f"{plan_path}/after/notes", data={"csrf_token": csrf, "field": "effect", "text": " "}
        )
        assert empty.status_code == 303
        assert "Skriv notatet først." in (await participant.get(plan_path)).text
        held = await participant.post(f"{plan_path}/before/held", data={"csrf_token": csrf})
        assert held.status_code == 303
        plan = await participant.get(plan_path)
        assert "Samtalen er merket som gjennomført." in plan.text
        assert "Merket som gjennomført" in plan.text
        early = await participant.post(f"{plan_path}/during/held", data={"csrf_token": csrf})
        assert early.status_code == 303
        plan = await participant.get(plan_path)
        assert "Samtalen kan merkes som gjennomført når det er tid for den." in plan.text
        assert plan.text.count("Merk som gjennomført<") == 2  # during and after: not yet
        forged = await participant.post(
            f"{plan_path}/before/notes", data={"csrf_token": "forged", "field": "x", "text": "y"}
        )
        assert forged.status_code == 403

    # The manager's own link, as the mail gives it (/t/...), in English.
    doc = await world.events.db["transfer_plans"].find_one({"registration_id": registration_id})
    assert doc is not None
    secret = EventsSettings().participant_secret.get_secret_value()
    manager = f"/transfer/{manager_token(doc['_id'], doc['manager_key'], secret)}"
    read = await call(world.events.client, "GET", manager, 200)
    written_at = datetime.fromisoformat(read["conversations"][0]["notes"][0]["at"])
    async with world.browser() as boss:
        boss.headers["Accept-Language"] = "en"
        mailed = await boss.get(manager.replace("/transfer/", "/t/", 1))
        assert mailed.status_code == 200
        page = await boss.get(manager)
        assert NOTE in page.text
        when = formatting.moment(written_at, "Europe/Oslo", "en")
        assert f"The participant, {when}:" in page.text
        assert "Goals: what do you want to achieve, for yourself?" in page.text
        assert "The participant proposes to share this conversation." in page.text
        agreed = await boss.post(
            f"{manager}/before/sharing/coordinators/agree",
            data={"csrf_token": hidden(page.text, "csrf_token")},
        )
        assert agreed.status_code == 303
        assert agreed.headers["location"] == manager
        page = await boss.get(manager)
        assert "The sharing is updated." in page.text
        assert "You have both agreed to share this conversation." in page.text
        assert "Back to my registrations" not in page.text

        unknown = await boss.get("/transfer/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.unknown")
        assert unknown.status_code == 404
        assert unknown.headers["content-type"].startswith("text/html")
        assert "Page not found" in unknown.text
    shared = await call(world.events.client, "GET", manager, 200)
    assert shared["conversations"][0]["sharing"][0]["shared"] is True
