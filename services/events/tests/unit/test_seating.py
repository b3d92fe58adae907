"""Pure rules of the registration desk: seat planning, places in line, renewal, promotion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from samling_contracts.events import RegistrationConfirmed, RegistrationWaitlisted
from samling_contracts.vocabulary import EventKind
from samling_events.domain.events import Contingent, Event, EventDetails, EventStatus, draft_event
from samling_events.domain.registrations import Registration, RegistrationStatus
from samling_events.domain.seating import (
    ensure_open,
    fills_freed_seats,
    first_free_seat,
    has_free_seat,
    kept_promotion,
    place_all,
    plan_seats,
    promotes_waiting_list,
    renew,
)
from samling_kernel.decisions import Change, Refusal, Refused

from services.events.tests.unit.builders import a_registration

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
BODO, SALTDAL = "NO-1804", "NO-1840"


def _event(status: EventStatus = EventStatus.PUBLISHED, **details: Any) -> Event:
    details.setdefault("capacity", 4)
    draft = draft_event(
        "evt_1",
        region_id="r",
        network_id="n",
        kind=EventKind.WORKSHOP,
        starts_at=NOW + timedelta(days=10),
        ends_at=NOW + timedelta(days=10, hours=3),
        timezone="Europe/Oslo",
        details=EventDetails(title="Verksted", venue="Bodø", **details),
        created_by="u",
    ).state
    return draft.model_copy(update={"status": status})


def _reg(
    n: int,
    municipality_id: str = SALTDAL,
    status: RegistrationStatus = RegistrationStatus.WAITLISTED,
    **fields: Any,
) -> Registration:
    """Waiting unless told, as a desk's arrivals are until they get a seat (no seat number)."""
    return a_registration(
        status, n=n, municipality_id=municipality_id, **{"seat_no": None, **fields}
    )


def test_seats_go_in_arrival_order_around_those_taken() -> None:
    taken = {2: "reg_x"}
    planned = plan_seats(_event(), [_reg(1), _reg(2), _reg(3), _reg(4)], taken, NOW)
    assert planned == {"reg_1": 1, "reg_2": 3, "reg_3": 4}
    assert taken == {2: "reg_x"}  # planning reads, never writes


def test_a_contingent_is_its_municipalitys_first_choice_and_nobody_elses() -> None:
    event = _event(capacity=4, contingents=[Contingent(municipality_id=BODO, seats=2)])
    assert first_free_seat(event, _reg(1, BODO), {}, NOW) == 1
    assert first_free_seat(event, _reg(2, SALTDAL), {}, NOW) == 3
    assert first_free_seat(event, _reg(3, SALTDAL), {3: "a", 4: "b"}, NOW) is None
    not_member = _reg(4, BODO, member=False)  # a non-member claims no member seat
    assert first_free_seat(event, not_member, {}, NOW) == 3


def test_a_released_contingent_opens_to_others_from_its_release() -> None:
    release = NOW + timedelta(days=1)
    event = _event(
        capacity=3, contingents=[Contingent(municipality_id=BODO, seats=2, release_at=release)]
    )
    full_pool = {3: "a"}
    assert first_free_seat(event, _reg(1), full_pool, NOW) is None
    assert first_free_seat(event, _reg(1), full_pool, release) == 1


def test_those_without_a_seat_line_up_behind_the_waiting_list() -> None:
    regs = [_reg(1), _reg(2), _reg(3)]
    placed, waiting = place_all(_event(), regs, {"reg_2": 4}, waiting=5)
    assert waiting == 7
    assert [p.position for p in placed] == [6, None, 7]
    assert [p.change.state.status for p in placed] == [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    first_fact = next(iter(placed[0].change.facts))
    assert isinstance(first_fact, RegistrationWaitlisted)
    assert first_fact.position == 6
    assert [type(f) for f in placed[1].change.facts] == [RegistrationConfirmed]


@pytest.mark.parametrize(
    ("status", "renewed"),
    [
        (RegistrationStatus.CANCELLED, True),
        (RegistrationStatus.DECLINED, True),
        (RegistrationStatus.OFFER_EXPIRED, True),
        (RegistrationStatus.CONFIRMED, False),
        (RegistrationStatus.WAITLISTED, False),
        (RegistrationStatus.OFFERED, False),
        (RegistrationStatus.PENDING_APPROVAL, False),
    ],
)
def test_only_a_registration_that_ended_starts_afresh(
    status: RegistrationStatus, renewed: bool
) -> None:
    fresh = Change(_reg(1, arrival_seq=9))
    assert (renew(_reg(1, status=status), fresh) is fresh) is renewed


def test_a_promotion_is_kept_only_while_the_seat_is_held() -> None:
    assert kept_promotion(_reg(1, status=RegistrationStatus.OFFERED, seat_no=2), 2)
    assert not kept_promotion(_reg(1, status=RegistrationStatus.CONFIRMED, seat_no=3), 2)
    assert not kept_promotion(_reg(1, status=RegistrationStatus.CANCELLED), 2)


@pytest.mark.parametrize(
    ("status", "opens", "promotes"),
    [
        (EventStatus.DRAFT, False, False),
        (EventStatus.PUBLISHED, True, True),
        (EventStatus.REGISTRATION_CLOSED, False, True),
        (EventStatus.CANCELLED, False, False),
        (EventStatus.COMPLETED, False, False),
    ],
)
def test_which_events_take_registrations_and_move_their_waiting_list(
    status: EventStatus, opens: bool, promotes: bool
) -> None:
    event = _event(status)
    assert promotes_waiting_list(event) is promotes
    if opens:
        ensure_open(event)
    else:
        with pytest.raises(Refused) as refused:
            ensure_open(event)
        assert refused.value.kind is Refusal.CONFLICT


@pytest.mark.parametrize(
    ("status", "after_start", "fills"),
    [
        (EventStatus.PUBLISHED, timedelta(days=-1), True),
        (EventStatus.REGISTRATION_CLOSED, timedelta(hours=2), True),  # under way
        (EventStatus.PUBLISHED, timedelta(hours=3), False),  # it has just ended
        (EventStatus.COMPLETED, timedelta(hours=1), False),
        (EventStatus.CANCELLED, timedelta(days=-1), False),
    ],
)
def test_the_sweep_fills_freed_seats_of_promoting_events_until_they_end(
    status: EventStatus, after_start: timedelta, fills: bool
) -> None:
    event = _event(status)
    assert fills_freed_seats(event, event.starts_at + after_start) is fills


def test_an_event_has_a_free_seat_until_every_seat_is_taken() -> None:
    event = _event(capacity=2)
    assert has_free_seat(event, {1: "a"})
    assert not has_free_seat(event, {1: "a", 2: "b"})
