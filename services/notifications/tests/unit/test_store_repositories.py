"""The repositories' methods that carry a rule of their own (which reminders a move or a
completion leaves, which notices a withdrawal or a digest takes, what an endpoint's owner is
known by, who took part), on the in-memory store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from samling_contracts.envelope import envelope
from samling_contracts.events import AttendanceRecorded
from samling_contracts.network import MunicipalityLeftNetwork
from samling_devtools.memory_store import MemoryDatabase
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Status
from samling_notifications.domain.visibility import EndpointOwner

from .given import MUNICIPALITY, NOW, joined

OTHER = "NO-1833"


def stores_over(db: MemoryDatabase) -> Stores:
    # The aggregate stores serve the API and delivery, not these repositories.
    unused = cast(Any, None)
    return Stores(cast(Any, db), unused, unused, unused, unused)


async def test_a_held_conversations_reminder_is_not_moved_the_others_are() -> None:
    db = MemoryDatabase()
    agenda = stores_over(db).agenda
    due = NOW + timedelta(days=3)
    for reminder_id in ("r_open", "r_held"):
        await db["reminders"].insert_one({"_id": reminder_id, "due_at": due, "not_after": due})
    await agenda.mark_held([{"_id": "r_held", "plan_id": "plan_1", "held": True}])
    later = due + timedelta(days=7)
    for reminder_id in ("r_open", "r_held"):
        await agenda.move_unless_held(reminder_id, {"due_at": later, "not_after": later})
    kept = db["reminders"].documents()
    assert kept["r_open"]["due_at"] == later
    assert kept["r_held"] == {"_id": "r_held", "plan_id": "plan_1", "held": True}


async def test_completion_drops_the_events_own_reminders_not_its_transfer_plans() -> None:
    db = MemoryDatabase()
    agenda = stores_over(db).agenda
    await db["reminders"].insert_many(
        [
            {"_id": "event:evt_1", "event_id": "evt_1"},
            {"_id": "assignment:asg_1", "event_id": "evt_1", "assignment_id": "asg_1"},
            {"_id": "transfer:plan_1", "event_id": "evt_1", "plan_id": "plan_1"},
            {"_id": "event:evt_2", "event_id": "evt_2"},
        ]
    )
    await agenda.drop_own_of_event("evt_1")
    assert sorted(db["reminders"].documents()) == ["event:evt_2", "transfer:plan_1"]
    await agenda.drop_all_of_event("evt_1")
    assert sorted(db["reminders"].documents()) == ["event:evt_2"]


def notice(notice_id: str, report_id: str, status: Status, **fields: Any) -> dict[str, Any]:
    return {
        "_id": notice_id,
        "recipient_id": "usr_1",
        "recipient_type": "user",
        "refs": {"report_id": report_id},
        "status": str(status),
        "pending": False,
        **fields,
    }


async def test_a_withdrawn_reports_unsent_digest_lines_are_skipped_nothing_else() -> None:
    db = MemoryDatabase()
    tomorrow = NOW + timedelta(days=1)
    await db["notifications"].insert_many(
        [
            notice("line", "rep_1", Status.QUEUED, digest="daily", digest_at=tomorrow),
            notice("digested", "rep_1", Status.DIGESTED, digest="daily", digest_at=NOW),
            notice("mail", "rep_1", Status.QUEUED, pending=True),
            notice("other", "rep_2", Status.QUEUED, digest="daily", digest_at=tomorrow),
        ]
    )
    await stores_over(db).notice_log.skip_digest_lines_about("rep_1")
    kept = db["notifications"].documents()
    assert (kept["line"]["status"], kept["line"]["digest_at"]) == (str(Status.SKIPPED), None)
    assert kept["digested"]["status"] == str(Status.DIGESTED)
    assert kept["mail"]["status"] == str(Status.QUEUED)
    assert (kept["other"]["status"], kept["other"]["digest_at"]) == (str(Status.QUEUED), tomorrow)


async def test_the_digest_lines_due_are_the_queued_ones_whose_time_has_come() -> None:
    db = MemoryDatabase()
    log = stores_over(db).notice_log
    await db["notifications"].insert_many(
        [
            notice("due", "rep_1", Status.QUEUED, digest="daily", digest_at=NOW),
            notice("later", "rep_1", Status.QUEUED, digest="daily", digest_at=NOW + timedelta(1)),
            notice("skipped", "rep_2", Status.SKIPPED, digest="daily", digest_at=NOW),
            notice("sending", "rep_2", Status.QUEUED, digest_at=NOW, pending=True),
        ]
    )
    assert [d["_id"] for d in await log.digest_lines_due(NOW)] == ["due"]
    await log.mark_digested(["due"])
    assert await log.digest_lines_due(NOW) == []
    assert db["notifications"].documents()["due"]["status"] == str(Status.DIGESTED)


async def test_an_endpoint_owner_is_known_by_its_region_and_current_memberships() -> None:
    db = MemoryDatabase()
    views = stores_over(db).network_views
    await views.record_region(MUNICIPALITY, "rkk-salten")
    for fact in (
        joined("net_a"),
        joined("net_b"),
        MunicipalityLeftNetwork(
            network_id="net_b",
            municipality_id=MUNICIPALITY,
            membership_id=f"mem_{MUNICIPALITY}",
            ends_on=NOW.date(),
        ),
    ):
        await views.record_membership(fact, envelope(fact, source="/samling/test", time=NOW))
    owners = await views.as_owners([MUNICIPALITY, OTHER, MUNICIPALITY])
    assert owners == {
        MUNICIPALITY: EndpointOwner(MUNICIPALITY, "rkk-salten", frozenset({"net_a"})),
        OTHER: EndpointOwner(OTHER, None, frozenset()),
    }


def registration(
    registration_id: str, event_id: str, participant_id: str, status: str, **fields: Any
) -> dict[str, Any]:
    return {
        "_id": registration_id,
        "event_id": event_id,
        "participant_id": participant_id,
        "status": status,
        **fields,
    }


async def test_who_took_part_is_read_from_the_registrations_status_and_attendance() -> None:
    db = MemoryDatabase()
    registered = stores_over(db).registration_views
    await db["registrations"].insert_many(
        [
            registration("r1", "evt_1", "par_1", "confirmed", municipality_id=MUNICIPALITY),
            registration("r2", "evt_1", "par_2", "waitlisted"),
            registration("r3", "evt_2", "par_1", "confirmed", municipality_id=OTHER),
        ]
    )
    attended = AttendanceRecorded(
        event_id="evt_1",
        registration_id="r1",
        participant_id="par_1",
        municipality_id=MUNICIPALITY,
        attended=True,
    )
    await registered.record_attendance(attended)

    async def ids(*args: Any) -> list[str]:
        return sorted(r.id for r in await registered.participants("evt_1", *args))

    assert await ids() == ["par_1"]
    assert await ids(("confirmed", "waitlisted")) == ["par_1", "par_2"]
    assert await ids(("confirmed", "waitlisted"), False) == []
    assert await ids(("confirmed", "waitlisted"), True) == ["par_1"]
    # A registration known only from its attendance fact names no municipality.
    assert await registered.municipalities_of_event("evt_1") == {MUNICIPALITY}
    assert await registered.municipalities_of_participant("par_1") == {MUNICIPALITY, OTHER}
