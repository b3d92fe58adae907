"""The work around a conference over the in-memory store: groups allocated and allocated
again, assignments marked done, the evaluation and its summary (no server)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from samling_contracts.vocabulary import AssignmentPhase
from samling_devtools.memory_store import memory_aggregates
from samling_events.adapters.store.follow_up import FollowUp
from samling_events.adapters.store.registration_queries import RegistrationQueries
from samling_events.domain import conference
from samling_events.domain.conference import Assignment, Groups
from samling_events.domain.evaluation import EvaluationAnswer, summarise
from samling_events.domain.events import Event
from samling_events.use_cases import follow_up
from samling_kernel.decisions import Refusal, Refused
from samling_runtime.store import AggregateStore

from .desk_world import BODO, FAUSKE, SALTDAL, START, DeskWorld


@dataclass
class FollowUpWorld:
    desk: DeskWorld
    assignments: AggregateStore[Assignment]
    groups: AggregateStore[Groups]
    records: FollowUp
    participants: RegistrationQueries

    async def assignment(self, event: Event, title: str = "Forarbeid") -> Assignment:
        change = conference.assign(
            f"asg_{title}", event.id, AssignmentPhase.PRE, title, "", START - timedelta(days=1)
        )
        return (await self.assignments.create(change.state.id, change)).state


@pytest.fixture
async def work() -> AsyncIterator[FollowUpWorld]:
    desk = DeskWorld()
    db, now = desk.db, desk.clock.now
    assignments = memory_aggregates(db, "assignments", Assignment, now)
    stores = desk.stores
    yield FollowUpWorld(
        desk=desk,
        assignments=assignments,
        groups=memory_aggregates(db, "groups", Groups, now),
        records=FollowUp(assignments, db["assignment_completions"], db["evaluations"]),
        participants=RegistrationQueries(stores.registrations, stores.roster, stores.participants),
    )
    await desk.close()


async def test_groups_mix_the_confirmed_and_keep_a_move_when_allocated_again(
    work: FollowUpWorld,
) -> None:
    event = await work.desk.event(capacity=4)
    people = [("Ada", BODO), ("Bo", BODO), ("Siv", SALTDAL), ("Finn", FAUSKE), ("Eli", BODO)]
    regs = [(await work.desk.register(event, n, municipality_id=m))[0] for n, m in people]
    seated = {r.id for r in regs[:4]}  # Eli waits: the waiting list is in no group

    first = await follow_up.allocate_groups(work.groups, work.participants, event.id, 2)
    assert {r for g in first.groups for r in g.registration_ids} == seated
    assert len(first.groups) == 2
    ada = regs[0].id
    target = 1 if first.group_of(ada) == 0 else 0
    moved = await work.groups.update(event.id, lambda g: conference.move_to_group(g, ada, target))
    assert moved.state.group_of(ada) == target

    again = await follow_up.allocate_groups(work.groups, work.participants, event.id, 2)
    assert again.group_of(ada) == target
    assert again.moves == {ada: target}


async def test_allocating_without_anyone_confirmed_gives_no_groups(work: FollowUpWorld) -> None:
    event = await work.desk.event()
    groups = await follow_up.allocate_groups(work.groups, work.participants, event.id, 3)
    assert (groups.event_id, groups.groups) == (event.id, [])


async def test_an_assignment_is_marked_done_once_for_its_own_event_only(
    work: FollowUpWorld,
) -> None:
    event, elsewhere = await work.desk.event(), await work.desk.event()
    ada, _ = await work.desk.register(event, "Ada")
    mine = await work.assignment(event, "Forarbeid")
    theirs = await work.assignment(elsewhere, "Annet")
    now = work.desk.clock.now()

    for _ in range(2):
        await follow_up.complete_assignment(work.assignments, work.records, mine.id, ada, now)
    assert await work.records.completed_by(mine.id) == [ada.id]

    for unknown in (theirs.id, "asg_missing"):
        with pytest.raises(Refused, match="Assignment") as refused:
            await follow_up.complete_assignment(work.assignments, work.records, unknown, ada, now)
        assert refused.value.kind is Refusal.NOT_FOUND
    assert await work.records.completed_by(theirs.id) == []


async def test_the_evaluation_opens_when_the_event_starts_and_a_second_replaces_the_first(
    work: FollowUpWorld,
) -> None:
    event = await work.desk.event()
    ada, _ = await work.desk.register(event, "Ada")
    answers = {"rating": 4, "useful_for_practice": True, "comment": "Nyttig"}

    early = event.starts_at - timedelta(minutes=1)
    with pytest.raises(Refused, match="opens when the event has started") as refused:
        await follow_up.evaluate(work.desk.stores.events, work.records, ada, answers, early)
    assert refused.value.kind is Refusal.CONFLICT
    assert not await work.records.has_evaluated(event.id, ada.id)

    for rating in (4, 2):
        await follow_up.evaluate(
            work.desk.stores.events,
            work.records,
            ada,
            {**answers, "rating": rating},
            event.starts_at,
        )
    assert [a.rating for a in await work.records.evaluations_of(event.id)] == [2]


def test_the_summary_counts_only_those_who_said_whether_it_was_useful() -> None:
    answers = [
        EvaluationAnswer(5, True, "Nyttig gruppearbeid."),
        EvaluationAnswer(4, None, ""),
        EvaluationAnswer(2, False, None),
    ]
    summary = summarise(answers)
    assert (summary.responses, summary.average_rating) == (3, 3.67)
    assert (summary.useful_answers, summary.useful_share) == (2, 0.5)
    assert summary.comments == ["Nyttig gruppearbeid."]


def test_a_summary_of_no_answers_has_no_averages() -> None:
    summary = summarise([])
    assert (summary.responses, summary.average_rating, summary.useful_share) == (0, None, None)
