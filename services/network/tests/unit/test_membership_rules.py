"""Joining and leaving networks: one active membership per pair, no overlapping periods."""

from datetime import UTC, date, datetime

import pytest
from samling_contracts.network import MunicipalityJoinedNetwork, MunicipalityLeftNetwork
from samling_contracts.vocabulary import NetworkField
from samling_network.domain import memberships, networks
from samling_network.domain.errors import Conflict, Rejected

JAN_1 = date(2026, 1, 1)
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def first_membership() -> memberships.Membership:
    return memberships.join("net_1", "NO-1804", "rkk-salten", None, JAN_1).state


def test_joining_publishes_the_membership_by_its_ids() -> None:
    change = memberships.join("net_1", "NO-1804", "rkk-salten", None, JAN_1)
    assert change.state.id == "mem_net_1_NO-1804_1"
    assert change.state.active
    assert change.state.ends_on is None
    (fact,) = list(change.facts)
    assert isinstance(fact, MunicipalityJoinedNetwork)
    assert (fact.network_id, fact.municipality_id, fact.membership_id, fact.starts_on) == (
        "net_1",
        "NO-1804",
        change.state.id,
        JAN_1,
    )


def test_leaving_ends_the_membership_on_the_last_day() -> None:
    change = memberships.leave(first_membership(), date(2026, 6, 30))
    assert not change.state.active
    assert change.state.ends_on == date(2026, 6, 30)
    (fact,) = list(change.facts)
    assert isinstance(fact, MunicipalityLeftNetwork)
    assert fact.ends_on == date(2026, 6, 30)
    assert fact.membership_id == "mem_net_1_NO-1804_1"


def test_the_last_day_may_be_the_first_but_not_before_it() -> None:
    assert memberships.leave(first_membership(), JAN_1).state.ends_on == JAN_1
    with pytest.raises(Rejected, match="cannot be before the first day"):
        memberships.leave(first_membership(), date(2025, 12, 31))


def test_a_membership_is_left_once() -> None:
    ended = memberships.leave(first_membership(), date(2026, 6, 30)).state
    with pytest.raises(Conflict, match="already left this network on 2026-06-30"):
        memberships.leave(ended, date(2026, 7, 31))


@pytest.mark.parametrize(
    ("starts_on", "allowed"),
    [(date(2026, 6, 29), False), (date(2026, 6, 30), False), (date(2026, 7, 1), True)],
)
def test_a_rejoin_starts_after_the_previous_membership_ended(
    starts_on: date, allowed: bool
) -> None:
    ended = memberships.leave(first_membership(), date(2026, 6, 30)).state
    if allowed:
        again = memberships.join("net_1", "NO-1804", "rkk-salten", ended, starts_on).state
        assert (again.sequence, again.id) == (2, "mem_net_1_NO-1804_2")
    else:
        with pytest.raises(Rejected, match=r"after the previous one ended \(2026-06-30\)"):
            memberships.join("net_1", "NO-1804", "rkk-salten", ended, starts_on)


def test_an_active_member_cannot_join_again_on_any_date() -> None:
    active = first_membership()
    for starts_on in (date(2025, 1, 1), JAN_1, date(2027, 1, 1)):
        with pytest.raises(Conflict, match="already a member"):
            memberships.join("net_1", "NO-1804", "rkk-salten", active, starts_on)


def test_an_archived_network_takes_no_new_members() -> None:
    network = networks.create_network(
        "net_1", "rkk-salten", "Lesing", NetworkField.SCHOOL, "", "u-1", NOW
    ).state
    memberships.require_joinable(network)  # an open network: no refusal
    archived = networks.archive_network(network)
    assert archived is not None
    with pytest.raises(Conflict, match="'Lesing' is archived; nobody can join it"):
        memberships.require_joinable(archived.state)
