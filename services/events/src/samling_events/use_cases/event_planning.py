"""A coordinator plans: one event, a dialogue conference from a template (with its pre-work
and follow-up assignments), a recurring series and changes to all its coming occurrences, and
the conflicts to warn about while planning. Every new event is a draft until published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from samling_contracts.vocabulary import EventKind
from samling_kernel.decisions import Change
from samling_kernel.ids import new_id
from samling_runtime.store import AggregateStore

from samling_events.domain import conference, planning
from samling_events.domain.conference import Assignment, Template
from samling_events.domain.events import (
    Event,
    EventDetails,
    EventStatus,
    TimeZoneName,
    draft_event,
)
from samling_events.use_cases import event_changes
from samling_events.use_cases.ports import EventDesks, Overlaps, SeatUsage


@dataclass(frozen=True, slots=True)
class Planner:
    """Who plans, and for whom: the coordinator, their region and the owning network (None
    for a region-wide event)."""

    subject: str
    region_id: str
    network_id: str | None


@dataclass(frozen=True, slots=True)
class Series:
    series_id: str
    events: list[Event]


def _draft(
    by: Planner,
    kind: EventKind,
    starts_at: datetime,
    ends_at: datetime,
    timezone: TimeZoneName,
    details: EventDetails,
    series_id: str | None = None,
) -> Change[Event]:
    return draft_event(
        new_id("evt"),
        region_id=by.region_id,
        network_id=by.network_id,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=timezone,
        details=details,
        created_by=by.subject,
        series_id=series_id,
    )


async def plan_event(
    events: AggregateStore[Event],
    by: Planner,
    kind: EventKind,
    starts_at: datetime,
    ends_at: datetime,
    timezone: TimeZoneName,
    details: EventDetails,
) -> Event:
    draft = _draft(by, kind, starts_at, ends_at, timezone, details)
    return (await events.create(draft.state.id, draft)).state


async def plan_conference(
    events: AggregateStore[Event],
    assignments: AggregateStore[Assignment],
    by: Planner,
    template: Template,
    starts_at: datetime,
    timezone: TimeZoneName,
    details: EventDetails,
) -> tuple[Event, list[Assignment]]:
    """A dialogue conference with the template's agenda and its parts' assignments."""
    plan = conference.plan_template(template, starts_at)
    with_agenda = details.model_copy(update={"agenda": plan.agenda})
    event = await plan_event(
        events,
        by,
        EventKind.DIALOGUE_CONFERENCE,
        starts_at,
        plan.ends_at,
        timezone,
        with_agenda,
    )
    made = []
    for planned in plan.assignments:
        change = conference.assign(
            new_id("asg"), event.id, planned.phase, planned.title, "", planned.due_at
        )
        made.append((await assignments.create(change.state.id, change)).state)
    return event, made


async def plan_series(
    events: AggregateStore[Event],
    by: Planner,
    kind: EventKind,
    starts: list[datetime],
    length: timedelta,
    timezone: TimeZoneName,
    details: EventDetails,
) -> Series:
    """One draft per start (``planning.series_starts``), all written in one round trip."""
    series_id = new_id("ser")
    drafts = [
        _draft(by, kind, start, start + length, timezone, details, series_id) for start in starts
    ]
    await events.create_many([(draft.state.id, draft) for draft in drafts])
    return Series(series_id, [draft.state for draft in drafts])


async def change_series(
    events: AggregateStore[Event],
    usage: SeatUsage,
    desks: EventDesks,
    coming: list[Event],
    details: EventDetails,
) -> list[Event]:
    """The new details on every coming occurrence not cancelled, by start; each follows the
    rules of changing one event (capacity, contingents, the waiting list)."""
    changed = []
    for event in sorted(coming, key=lambda e: e.starts_at):
        if event.status == EventStatus.CANCELLED:
            continue
        changed.append(await event_changes.change_details(events, usage, desks, event.id, details))
    return changed


async def conflicts(overlaps: Overlaps, event: Event) -> list[tuple[Event, str]]:
    """The events that overlap ``event`` and clash with it, each with the reason."""
    found = []
    for other in await overlaps.overlapping(event):
        reason = planning.clash(event, other)
        if reason is not None:
            found.append((other, reason))
    return found
