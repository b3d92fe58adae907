"""Transfer plans' reminders on the in-memory store: which reminders a plan sets, when they
fall due, how a reschedule moves them, and what makes them go (held, cancelled, erased); the
manager told they were named; and the scheduler firing each once to its one person."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, cast

from samling_contracts.events import (
    EventCompleted,
    ParticipantContactRecorded,
    ParticipantErased,
    RegistrationCancelled,
)
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_contracts.vocabulary import TransferConversation
from samling_notifications.adapters.scheduler import Scheduler
from samling_notifications.domain.notices import Draft, Kind, RecipientType
from samling_notifications.domain.transfer import AFTER_STALE
from samling_notifications.settings import NotificationsSettings
from samling_runtime.clock import ManualClock

from .given import NOW, STARTS, confirmed, scheduled
from .test_handlers import World

PLAN = "trp_reg_par_1"
IDS = {
    "plan_id": PLAN,
    "registration_id": "reg_par_1",
    "event_id": "evt_1",
    "participant_id": "par_1",
}
DURING = STARTS + timedelta(hours=1, minutes=30)
AFTER = STARTS + timedelta(days=30, hours=3)
KARI = ParticipantContactRecorded(
    participant_id="par_1",
    name="Kari Nordmann",
    email="kari@bodo.kommune.no",
    language="nn",
    manage_url="https://samling.test/r/kari",
)
OLA = TransferManagerNamed(
    plan_id=PLAN,
    participant_id="par_1",
    name="Ola Leder",
    email="ola@bodo.kommune.no",
    language="nn",
    manager_url="https://samling.test/t/ola",
    event_id="evt_1",
)


def created() -> TransferPlanCreated:
    return TransferPlanCreated(
        **IDS, municipality_id="NO-1804", before_due_at=NOW, during_due_at=DURING,
        after_due_at=AFTER,
    )  # fmt: skip


def held(conversation: TransferConversation) -> TransferConversationHeld:
    at = NOW + timedelta(days=1)
    return TransferConversationHeld(
        **IDS, municipality_id="NO-1804", conversation=conversation, held_at=at
    )


def due(world: World) -> dict[str, Any]:
    """Reminder id → due time, of the plan's reminders that will fire."""
    return {
        rid: doc["due_at"]
        for rid, doc in world.docs("reminders").items()
        if doc.get("plan_id") and "due_at" in doc
    }


def rid(conversation: str, party: str) -> str:
    return f"transfer:{PLAN}:{conversation}:{party}"


async def planned() -> World:
    world = World()
    await world.given(KARI, scheduled(), confirmed("par_1"), created(), OLA)
    return world


async def test_a_plan_reminds_both_people_of_each_conversation_at_its_time() -> None:
    world = await planned()
    assert due(world) == {
        rid("before", "participant"): NOW,
        rid("before", "manager"): NOW,
        rid("during", "participant"): DURING,
        rid("during", "manager"): DURING,
        rid("after", "participant"): AFTER,
        rid("after", "manager"): AFTER,
    }
    reminders = world.docs("reminders")
    assert reminders[rid("before", "manager")]["not_after"] == DURING  # stale once "during" is
    assert reminders[rid("after", "manager")]["not_after"] == AFTER + AFTER_STALE


async def test_a_reschedule_moves_during_and_after_and_leaves_before() -> None:
    world = await planned()
    later = timedelta(days=7)
    await world.given(
        TransferPlanRescheduled(**IDS, during_due_at=DURING + later, after_due_at=AFTER + later)
    )
    times = due(world)
    assert times[rid("before", "participant")] == NOW
    assert times[rid("during", "manager")] == DURING + later
    assert times[rid("after", "participant")] == AFTER + later
    assert world.docs("reminders")[rid("before", "manager")]["not_after"] == DURING + later


async def test_a_held_conversation_is_not_recalled_even_after_a_move_or_a_replay() -> None:
    world = await planned()
    await world.given(held(TransferConversation.DURING))
    later = timedelta(days=7)
    await world.given(
        TransferPlanRescheduled(**IDS, during_due_at=DURING + later, after_due_at=AFTER + later),
        created(),  # a replay of the plan's creation
    )
    assert set(due(world)) == {
        rid("before", "participant"),
        rid("before", "manager"),
        rid("after", "participant"),
        rid("after", "manager"),
    }
    assert due(world)[rid("after", "manager")] == AFTER + later  # not put back by the replay


async def test_a_cancelled_registration_takes_its_plans_reminders_with_it() -> None:
    world = await planned()
    await world.given(held(TransferConversation.BEFORE))
    registration = confirmed("par_1").model_dump()
    await world.given(RegistrationCancelled(**registration, cancelled_by="participant"))
    assert [doc for doc in world.docs("reminders").values() if doc.get("plan_id")] == []
    assert "event:evt_1" in world.docs("reminders")  # the event's own is another's


async def test_the_event_taking_place_leaves_the_conversation_after_it() -> None:
    world = await planned()
    await world.given(EventCompleted(event_id="evt_1", network_id="net_a"))
    assert "event:evt_1" not in world.docs("reminders")
    assert rid("after", "manager") in due(world)


async def test_an_erasure_removes_the_plans_reminders_and_the_managers_address() -> None:
    world = await planned()
    await world.given(ParticipantErased(participant_id="par_1"))
    assert [doc for doc in world.docs("reminders").values() if doc.get("plan_id")] == []
    manager = world.docs("recipients")[f"mgr_{PLAN}"]
    assert manager == {"_id": f"mgr_{PLAN}", "type": "manager", "erased": True, "active": False}
    await world.given(created(), OLA)  # late copies, from another partition and topic
    assert due(world) == {}
    assert "email" not in world.docs("recipients")[f"mgr_{PLAN}"]


async def test_the_named_manager_is_told_with_the_participants_name_and_the_event() -> None:
    world = await planned()
    (named,) = [d for d in world.notices.drafts if d.kind is Kind.TRANSFER_MANAGER_NAMED]
    (recipient,) = named.recipients
    assert (recipient.id, recipient.type, recipient.email) == (
        f"mgr_{PLAN}",
        RecipientType.MANAGER,
        None,  # the mail reads the recipient document, with the private link
    )
    assert named.refs == {"plan_id": PLAN, "event_id": "evt_1"}
    assert (named.params["participant"], named.params["title"]) == ("Kari Nordmann", "Verksted")
    manager = world.docs("recipients")[f"mgr_{PLAN}"]
    assert (manager["email"], manager["language"], manager["manage_url"]) == (
        "ola@bodo.kommune.no",
        "nn",
        "https://samling.test/t/ola",
    )
    # Another manager named: the plan's recipient is the new one.
    per = OLA.model_copy(update={"email": "per@bodo.kommune.no", "manager_url": "u2"})
    await world.given(per)
    assert world.docs("recipients")[f"mgr_{PLAN}"]["email"] == "per@bodo.kommune.no"


@dataclass
class Queued:
    drafts: list[Draft] = field(default_factory=list)

    async def queue(self, draft: Draft) -> int:
        self.drafts.append(draft)
        return len(draft.recipients)


@dataclass
class Runtime:
    clock: ManualClock


def scheduler_of(world: World) -> tuple[Scheduler, ManualClock, Queued]:
    clock = ManualClock(NOW)
    queued = Queued()
    runtime, delivery = cast(Any, Runtime(clock)), cast(Any, queued)
    return Scheduler(runtime, world.ctx.stores, NotificationsSettings(), delivery), clock, queued


def reminded(queued: Queued) -> list[tuple[str, str, str]]:
    return sorted(
        (d.refs["conversation"], r.id, d.params["participant"])
        for d in queued.drafts
        if d.kind is Kind.TRANSFER_REMINDER
        for r in d.recipients
    )


async def test_each_reminder_fires_once_at_its_time_to_its_one_person() -> None:
    world = await planned()
    scheduler, clock, queued = scheduler_of(world)
    await scheduler.fire_reminders()
    assert reminded(queued) == [
        ("before", f"mgr_{PLAN}", "Kari Nordmann"),
        ("before", "par_1", "Kari Nordmann"),
    ]
    before = next(d for d in queued.drafts if d.kind is Kind.TRANSFER_REMINDER)
    assert before.refs["registration_id"] == "reg_par_1"
    await scheduler.fire_reminders()  # a second round, or another instance: nothing again
    assert len(reminded(queued)) == 2
    await world.given(held(TransferConversation.DURING))
    clock.set(AFTER + timedelta(minutes=1))
    await scheduler.fire_reminders()
    assert [r[:2] for r in reminded(queued)] == [
        ("after", f"mgr_{PLAN}"),
        ("after", "par_1"),
        ("before", f"mgr_{PLAN}"),
        ("before", "par_1"),
    ]  # "during" was held: not recalled


async def test_a_reminder_found_long_past_its_moment_is_not_sent() -> None:
    world = await planned()
    scheduler, clock, queued = scheduler_of(world)
    clock.set(AFTER + AFTER_STALE + timedelta(minutes=1))
    await scheduler.fire_reminders()
    assert reminded(queued) == []
