"""Dialogue conferences (seed 002): templates, group allocation, assignments, attendance.

Pure functions: the same input always gives the same output.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field
from samling_contracts.events import AssignmentAssigned, AssignmentDue, AttendanceRecorded
from samling_contracts.vocabulary import AssignmentPhase
from samling_kernel.decisions import Change, Refusal, Refused

from samling_events.domain.events import AgendaItem, Event, EventStatus
from samling_events.domain.registrations import Registration, RegistrationStatus


class Template(StrEnum):
    ONE_DAY = "one_day"
    TWO_DAYS = "two_days"
    SHORT_AFTERNOON = "short_afternoon"


PARTS = (
    "Del 1: Forberedelse og innspill",
    "Del 2: Praksiseksempler",
    "Del 3: Erfaringsdeling i grupper på tvers av kommuner",
    "Del 4: Oppfølging",
)


class PlannedAssignment(BaseModel):
    phase: AssignmentPhase
    title: str
    due_at: AwareDatetime


class TemplatePlan(BaseModel):
    ends_at: AwareDatetime
    agenda: list[AgendaItem]
    assignments: list[PlannedAssignment]


def _block(title: str, start: datetime, minutes: int) -> AgendaItem:
    return AgendaItem(title=title, starts_at=start, ends_at=start + timedelta(minutes=minutes))


def plan_template(template: Template, starts_at: datetime) -> TemplatePlan:
    """The agenda (and pre/post work) of a dialogue conference in one of its three shapes."""
    if template == Template.ONE_DAY:  # 5.5 hours for all four parts, with a lunch break
        minutes = (60, 75, 120, 45)
        gaps = (0, 15, 30, 15)
        agenda, at = [], starts_at
        for title, length, gap in zip(PARTS, minutes, gaps, strict=True):
            at += timedelta(minutes=gap)
            agenda.append(_block(title, at, length))
            at += timedelta(minutes=length)
        return TemplatePlan(ends_at=at, agenda=agenda, assignments=[])
    if template == Template.TWO_DAYS:
        day2 = starts_at + timedelta(days=1)
        agenda = [
            _block(PARTS[0], starts_at, 150),
            _block(PARTS[1], starts_at + timedelta(minutes=210), 150),
            _block(PARTS[2], day2, 180),
            _block(PARTS[3], day2 + timedelta(minutes=225), 90),
        ]
        return TemplatePlan(ends_at=agenda[-1].ends_at, agenda=agenda, assignments=[])
    # Short afternoon: parts 1 and 4 become pre-work and follow-up work at each unit.
    agenda = [
        _block(PARTS[1], starts_at, 75),
        _block(PARTS[2], starts_at + timedelta(minutes=90), 90),
    ]
    return TemplatePlan(
        ends_at=agenda[-1].ends_at,
        agenda=agenda,
        assignments=[
            PlannedAssignment(
                phase=AssignmentPhase.PRE,
                title=PARTS[0] + " (forarbeid på egen enhet)",
                due_at=starts_at - timedelta(days=1),
            ),
            PlannedAssignment(
                phase=AssignmentPhase.POST,
                title=PARTS[3] + " (etterarbeid på egen enhet)",
                due_at=agenda[-1].ends_at + timedelta(days=14),
            ),
        ],
    )


# -- assignments -----------------------------------------------------------------------------
class Assignment(BaseModel):
    id: str
    event_id: str
    phase: AssignmentPhase
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    due_at: AwareDatetime
    due_announced: bool = False


def assign(
    assignment_id: str,
    event_id: str,
    phase: AssignmentPhase,
    title: str,
    description: str,
    due_at: datetime,
) -> Change[Assignment]:
    a = Assignment(
        id=assignment_id,
        event_id=event_id,
        phase=phase,
        title=title.strip(),
        description=description.strip(),
        due_at=due_at,
    )
    return Change(
        a,
        [
            AssignmentAssigned(
                event_id=event_id,
                assignment_id=a.id,
                phase=a.phase,
                title=a.title,
                due_at=a.due_at,
            )
        ],
    )


def announce_due(a: Assignment, now: datetime) -> Change[Assignment] | None:
    """AssignmentDue, exactly once, when the due time has passed."""
    if a.due_announced or a.due_at > now:
        return None
    return Change(
        a.model_copy(update={"due_announced": True}),
        [AssignmentDue(event_id=a.event_id, assignment_id=a.id, due_at=a.due_at)],
    )


# -- attendance ------------------------------------------------------------------------------
def record_attendance(
    reg: Registration, event: Event, attended: bool, now: datetime
) -> Change[Registration] | None:
    if reg.status != RegistrationStatus.CONFIRMED:
        raise Refused("Only confirmed participants can be checked in.")
    if now < event.starts_at - timedelta(hours=2):
        raise Refused("Check-in opens two hours before the event starts.")
    if event.status == EventStatus.CANCELLED:
        raise Refused("This event was cancelled.")
    if reg.attended is attended:
        return None
    return Change(
        reg.model_copy(update={"attended": attended}),
        [
            AttendanceRecorded(
                registration_id=reg.id,
                event_id=reg.event_id,
                participant_id=reg.participant_id,
                municipality_id=reg.municipality_id,
                attended=attended,
            )
        ],
    )


# -- groups ----------------------------------------------------------------------------------
class Group(BaseModel):
    number: int = Field(description="From 0.")
    registration_ids: list[str]


class Groups(BaseModel):
    """Part 3's groups: registration ids per group, mixed across municipalities."""

    event_id: str
    size: int
    groups: list[Group]
    moves: dict[str, int] = Field(
        default_factory=dict,
        description="The coordinator's moves (registration id: group number), kept when the "
        "groups are allocated again.",
    )

    def group_of(self, registration_id: str) -> int | None:
        """The group this person is in, or None when in none."""
        return next((g.number for g in self.groups if registration_id in g.registration_ids), None)


def allocate_groups(
    event_id: str, regs: list[Registration], size: int, moves: dict[str, int] | None = None
) -> Groups:
    """Deal people out like cards, largest municipality first, so each group gets as many
    municipalities as possible. Deterministic: the same people give the same groups.

    ``moves`` are the coordinator's earlier moves: each person moved by hand goes to the
    group they were moved to again, unless they no longer have a seat or that group no
    longer exists (fewer people, larger groups)."""
    if size < 2:
        raise Refused("A group needs at least two people.", kind=Refusal.INVALID)
    seated = sorted(
        (r for r in regs if r.status == RegistrationStatus.CONFIRMED), key=lambda r: r.id
    )
    count = max(1, math.ceil(len(seated) / size))
    by_municipality: dict[str, list[Registration]] = defaultdict(list)
    for r in seated:
        by_municipality[r.municipality_id].append(r)
    order = sorted(by_municipality, key=lambda m: (-len(by_municipality[m]), m))
    dealt = [r.id for m in order for r in by_municipality[m]]
    groups: list[list[str]] = [[] for _ in range(count)]
    for i, reg_id in enumerate(dealt):
        groups[i % count].append(reg_id)
    dealt_out = Groups(
        event_id=event_id,
        size=size,
        groups=[Group(number=i, registration_ids=g) for i, g in enumerate(groups) if g],
    )
    for reg_id, number in sorted((moves or {}).items()):
        if reg_id in dealt and number < len(dealt_out.groups):
            dealt_out = _moved(dealt_out, reg_id, number)
    return dealt_out


def _moved(groups: Groups, registration_id: str, group: int) -> Groups:
    """The groups with this person in that group (and remembered as moved there)."""
    moved = [
        Group(
            number=g.number,
            registration_ids=[r for r in g.registration_ids if r != registration_id],
        )
        for g in groups.groups
    ]
    moved[group].registration_ids.append(registration_id)
    return groups.model_copy(
        update={"groups": moved, "moves": {**groups.moves, registration_id: group}}
    )


def move_to_group(groups: Groups, registration_id: str, group: int) -> Change[Groups] | None:
    if not 0 <= group < len(groups.groups):
        raise Refused(f"There are groups 0 to {len(groups.groups) - 1}.", kind=Refusal.INVALID)
    if registration_id not in {r for g in groups.groups for r in g.registration_ids}:
        raise Refused("This registration is not in any group.", kind=Refusal.NOT_FOUND)
    if registration_id in groups.groups[group].registration_ids:
        return None
    return Change(_moved(groups, registration_id, group))
