"""The work around a dialogue conference: part 3's groups, assignments marked done, and the
evaluation afterwards."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from samling_kernel.decisions import Change, Refusal, Refused
from samling_runtime.store import AggregateStore, AlreadyExists

from samling_events.domain import conference
from samling_events.domain.conference import Assignment, Groups
from samling_events.domain.evaluation import ensure_evaluation_open
from samling_events.domain.events import Event
from samling_events.domain.registrations import Registration
from samling_events.use_cases.ports import ConfirmedParticipants, FollowUpRecords


async def allocate_groups(
    groups: AggregateStore[Groups],
    participants: ConfirmedParticipants,
    event_id: str,
    size: int,
) -> Groups:
    """Groups of about ``size`` from the confirmed participants; allocating again keeps the
    people moved by hand where they were moved."""
    regs = await participants.confirmed_at(event_id)
    if await groups.get(event_id) is None:
        with contextlib.suppress(AlreadyExists):  # else made concurrently: update it below
            fresh = conference.allocate_groups(event_id, regs, size)
            return (await groups.create(event_id, Change(fresh))).state
    # Decided on the stored groups, so a move made meanwhile is not lost either.
    again = await groups.update(
        event_id,
        lambda earlier: Change(conference.allocate_groups(event_id, regs, size, earlier.moves)),
    )
    return again.state


async def complete_assignment(
    assignments: AggregateStore[Assignment],
    records: FollowUpRecords,
    assignment_id: str,
    reg: Registration,
    now: datetime,
) -> None:
    """Mark one of the event's assignments done for this registration (again: no change)."""
    found = await assignments.get(assignment_id)
    if found is None or found.state.event_id != reg.event_id:
        raise Refused("Assignment was not found.", kind=Refusal.NOT_FOUND)
    await records.mark_completed(assignment_id, reg.id, now)


async def evaluate(
    events: AggregateStore[Event],
    records: FollowUpRecords,
    reg: Registration,
    answers: dict[str, Any],
    now: datetime,
) -> None:
    """The participant's evaluation, once the event has started; a second replaces the first."""
    event = (await events.require(reg.event_id)).state
    ensure_evaluation_open(event, now)
    await records.save_evaluation(event.id, reg.id, answers, now)
