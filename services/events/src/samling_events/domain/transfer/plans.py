"""Transfer plans: one per registration, naming the participant's manager (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, EmailStr, Field
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_contracts.vocabulary import EventKind, Language, TransferConversation
from samling_kernel.bodies import RequestBody
from samling_kernel.decisions import Change, Refusal, Refused
from samling_kernel.text import SingleLine

from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_events.domain.transfer.sharing import Party


def offers_transfer(event: Event) -> bool:
    """The event's own choice, else on for courses and multi-part programmes (an event over
    several days, or one of a series)."""
    if event.transfer_plans is not None:
        return event.transfer_plans
    several_days = event.ends_at.date() != event.starts_at.date()
    return event.kind == EventKind.COURSE_SEMINAR or several_days or event.series_id is not None


def plan_id_of(registration_id: str) -> str:
    """One plan per registration: the id is derived, so the unique ``_id`` enforces it."""
    return f"trp_{registration_id}"


class Manager(RequestBody):
    """The participant's manager, who gets a private link of their own (no account needed)."""

    name: SingleLine = Field(min_length=1, max_length=200, examples=["Ola Leder"])
    email: EmailStr = Field(examples=["ola.leder@bodo.kommune.no"])


class Schedule(BaseModel):
    before_due_at: AwareDatetime
    during_due_at: AwareDatetime
    after_due_at: AwareDatetime


def schedule(event: Event, confirmed_at: datetime, after: timedelta) -> Schedule:
    return Schedule(
        before_due_at=confirmed_at,
        during_due_at=event.starts_at + (event.ends_at - event.starts_at) / 2,
        after_due_at=event.ends_at + after,
    )


class TransferPlan(Schedule):
    id: str
    registration_id: str
    event_id: str
    region_id: str
    municipality_id: str
    participant_id: str
    language: Language
    manager_name: str
    manager_email: str
    manager_key: str = Field(
        description="The random part of the manager's private link: a new manager gets a new "
        "key, and the earlier manager's link stops opening the plan."
    )
    created_at: AwareDatetime


def _ids(plan: TransferPlan) -> dict[str, str]:
    """What every public fact about a plan names: ids, nothing said in a conversation."""
    return {
        "plan_id": plan.id,
        "registration_id": plan.registration_id,
        "event_id": plan.event_id,
        "participant_id": plan.participant_id,
    }


def _named(plan: TransferPlan, manager_url: str) -> TransferManagerNamed:
    return TransferManagerNamed(
        plan_id=plan.id,
        participant_id=plan.participant_id,
        name=plan.manager_name,
        email=plan.manager_email,
        language=plan.language,
        manager_url=manager_url,
        event_id=plan.event_id,
    )


def create_plan(
    event: Event,
    reg: Registration,
    manager: Manager,
    *,
    key: str,
    manager_url: str,
    now: datetime,
    after: timedelta,
) -> Change[TransferPlan]:
    if not offers_transfer(event):
        raise Refused("This event has no transfer plans.", kind=Refusal.NOT_FOUND)
    if reg.status != RegistrationStatus.CONFIRMED:
        raise Refused("A transfer plan can be made once the registration is confirmed.")
    plan = TransferPlan(
        id=plan_id_of(reg.id),
        registration_id=reg.id,
        event_id=event.id,
        region_id=event.region_id,
        municipality_id=reg.municipality_id,
        participant_id=reg.participant_id,
        language=reg.language,
        manager_name=manager.name,
        manager_email=str(manager.email),
        manager_key=key,
        created_at=now,
        **schedule(event, now, after).model_dump(),
    )
    created = TransferPlanCreated(
        **_ids(plan),
        municipality_id=reg.municipality_id,
        before_due_at=plan.before_due_at,
        during_due_at=plan.during_due_at,
        after_due_at=plan.after_due_at,
    )
    return Change(plan, [created, _named(plan, manager_url)])


def rename_manager(
    plan: TransferPlan, manager: Manager, *, key: str, manager_url: str
) -> Change[TransferPlan] | None:
    if manager.name == plan.manager_name and str(manager.email) == plan.manager_email:
        return None
    renamed = plan.model_copy(
        update={
            "manager_name": manager.name,
            "manager_email": str(manager.email),
            "manager_key": key,
        }
    )
    return Change(renamed, [_named(renamed, manager_url)])


def reschedule_plan(
    plan: TransferPlan, event: Event, after: timedelta
) -> Change[TransferPlan] | None:
    moved = schedule(event, plan.before_due_at, after)
    if (moved.during_due_at, moved.after_due_at) == (plan.during_due_at, plan.after_due_at):
        return None
    changed = plan.model_copy(update=moved.model_dump())
    fact = TransferPlanRescheduled(
        **_ids(plan),
        during_due_at=moved.during_due_at,
        after_due_at=moved.after_due_at,
    )
    return Change(changed, [fact])


class HeldMark(BaseModel):
    """One conversation marked held; its id ``<plan id>:<conversation>`` keeps it to one."""

    plan_id: str
    event_id: str
    municipality_id: str
    participant_id: str
    conversation: TransferConversation
    by: Party
    at: AwareDatetime


def held_id(plan_id: str, conversation: TransferConversation) -> str:
    return f"{plan_id}:{conversation}"


def mark_held(
    plan: TransferPlan, conversation: TransferConversation, by: Party, now: datetime
) -> Change[HeldMark]:
    mark = HeldMark(
        plan_id=plan.id,
        event_id=plan.event_id,
        municipality_id=plan.municipality_id,
        participant_id=plan.participant_id,
        conversation=conversation,
        by=by,
        at=now,
    )
    fact = TransferConversationHeld(
        **_ids(plan),
        municipality_id=plan.municipality_id,
        conversation=conversation,
        held_at=now,
    )
    return Change(mark, [fact])
