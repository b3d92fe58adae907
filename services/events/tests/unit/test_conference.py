"""Pure rules: templates, group allocation, capacity layout, attendance."""

from datetime import UTC, datetime, timedelta

import pytest
from samling_contracts.vocabulary import EventKind
from samling_events.domain.conference import (
    Template,
    allocate_groups,
    move_to_group,
    plan_template,
)
from samling_events.domain.events import Contingent, EventDetails, draft_event
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_kernel.decisions import Refused

START = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)


def reg(i: int, municipality: str) -> Registration:
    return Registration(
        id=f"reg_{i:03d}",
        event_id="evt_1",
        participant_id=f"par_{i}",
        municipality_id=municipality,
        role="Lærer",
        member=True,
        status=RegistrationStatus.CONFIRMED,
        arrived_at=START,
        arrival_seq=i,
    )


def test_one_day_holds_all_four_parts_in_five_to_six_hours() -> None:
    plan = plan_template(Template.ONE_DAY, START)
    assert len(plan.agenda) == 4
    assert timedelta(hours=5) <= plan.ends_at - START <= timedelta(hours=6)
    assert plan.assignments == []


def test_short_afternoon_turns_parts_1_and_4_into_pre_and_post_work() -> None:
    plan = plan_template(Template.SHORT_AFTERNOON, START)
    assert [a.title[:5] for a in plan.agenda] == ["Del 2", "Del 3"]
    assert [(a.phase, a.title[:5]) for a in plan.assignments] == [
        ("pre", "Del 1"),
        ("post", "Del 4"),
    ]
    assert plan.assignments[0].due_at < START < plan.ends_at < plan.assignments[1].due_at


def test_two_days_spans_two_days() -> None:
    plan = plan_template(Template.TWO_DAYS, START)
    assert plan.agenda[-1].starts_at.date() == (START + timedelta(days=1)).date()


def test_groups_mix_municipalities_and_are_deterministic() -> None:
    people = [reg(i, m) for i, m in enumerate(["NO-1804"] * 6 + ["NO-1841"] * 4 + ["NO-1845"] * 2)]
    groups = allocate_groups("evt_1", people, 4)
    assert len(groups.groups) == 3
    municipality = {r.id: r.municipality_id for r in people}
    for group in groups.groups:
        assert len({municipality[r] for r in group.registration_ids}) >= 2
    assert allocate_groups("evt_1", list(reversed(people)), 4) == groups
    first = groups.groups[0].registration_ids[0]
    moved = move_to_group(groups, first, 2)
    assert moved is not None
    assert first in moved.state.groups[2].registration_ids
    with pytest.raises(Refused):
        move_to_group(groups, "reg_nobody", 0)


def test_allocating_again_keeps_the_manual_moves() -> None:
    people = [reg(i, m) for i, m in enumerate(["NO-1804"] * 6 + ["NO-1841"] * 4 + ["NO-1845"] * 2)]
    groups = allocate_groups("evt_1", people, 4)
    first = groups.groups[0].registration_ids[0]
    moved = move_to_group(groups, first, 2)
    assert moved is not None
    # One more person registered; the coordinator allocates again.
    again = allocate_groups("evt_1", [*people, reg(99, "NO-1845")], 4, moved.state.moves)
    assert first in again.groups[2].registration_ids
    assert first not in again.groups[0].registration_ids
    assert again.moves == {first: 2}
    # A move to a group that no longer exists (fewer people) is let go.
    fewer = allocate_groups("evt_1", people[:4], 4, moved.state.moves)
    assert fewer.moves == {}
    assert sorted(r for g in fewer.groups for r in g.registration_ids) == sorted(
        p.id for p in people[:4]
    )


def test_contingent_seats_come_first_and_release_into_the_open_pool() -> None:
    details = EventDetails(
        title="Temadag",
        venue="Bodø",
        capacity=10,
        contingents=[Contingent(municipality_id="NO-1841", seats=3, release_at=START)],
    )
    event = draft_event(
        "evt_1",
        region_id="r",
        network_id="n",
        kind=EventKind.THEME_DAY,
        starts_at=START + timedelta(days=9),
        ends_at=START + timedelta(days=9, hours=6),
        timezone="Europe/Oslo",
        details=details,
        created_by="u",
    ).state
    before = START - timedelta(seconds=1)
    assert event.seat_ranges("NO-1841", True, before) == [range(1, 4), range(4, 11)]
    assert event.seat_ranges("NO-1804", True, before) == [range(4, 11)]
    assert event.seat_ranges("NO-1804", True, START) == [range(4, 11), range(1, 4)]
    assert event.seat_ranges("NO-1841", False, before) == [range(4, 11)]


def test_contingents_cannot_exceed_capacity() -> None:
    with pytest.raises(ValueError, match="reserve"):
        EventDetails(
            title="Temadag",
            venue="Bodø",
            capacity=2,
            contingents=[Contingent(municipality_id="NO-1841", seats=3)],
        )
