"""Regions, networks, their coordinators and partners, and the announcements posted to them."""

from datetime import UTC, datetime

import pytest
from samling_contracts.network import AnnouncementPosted, CoordinatorAssigned, PartnerInvited
from samling_contracts.vocabulary import Language, NetworkField, PartnerKind
from samling_network.domain import announcements, networks, regions
from samling_network.domain.errors import Conflict

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def network() -> networks.Network:
    return networks.create_network(
        "net_1", "rkk-salten", " Lesenettverket ", NetworkField.SCHOOL, " Om lesing ", "u-1", NOW
    ).state


def archived() -> networks.Network:
    change = networks.archive_network(network())
    assert change is not None
    return change.state


def test_a_new_network_is_trimmed_and_led_by_its_creator() -> None:
    created = network()
    assert (created.name, created.description) == ("Lesenettverket", "Om lesing")
    assert created.coordinator_ids == ["u-1"]
    assert not created.archived


def test_an_update_that_changes_nothing_says_nothing() -> None:
    assert networks.update_network(network(), name="Lesenettverket ") is None
    renamed = networks.update_network(network(), name="Lesing i Salten")
    assert renamed is not None
    assert renamed.state.name == "Lesing i Salten"
    assert renamed.state.field is NetworkField.SCHOOL


def test_a_coordinator_is_assigned_once() -> None:
    change = networks.assign_coordinator(network(), "u-2")
    assert change is not None
    assert change.state.coordinator_ids == ["u-1", "u-2"]
    (fact,) = list(change.facts)
    assert isinstance(fact, CoordinatorAssigned)
    assert fact.coordinator_id == "u-2"
    assert networks.assign_coordinator(change.state, "u-2") is None


def test_a_partner_is_invited_once_however_its_name_is_spelt() -> None:
    change = networks.invite_partner(network(), " Nord universitet ", PartnerKind.UNIVERSITY, NOW)
    (partner,) = change.state.partners
    assert (partner.partner_id, partner.organisation) == (
        "par_nord-universitet",
        "Nord universitet",
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, PartnerInvited)
    assert fact.partner_id == "par_nord-universitet"
    with pytest.raises(Conflict, match="already invited"):
        networks.invite_partner(change.state, "NORD Universitet", PartnerKind.UNIVERSITY, NOW)
    other = networks.invite_partner(
        change.state, "Statsforvalteren i Nordland", PartnerKind.COUNTY_GOVERNOR, NOW
    )
    assert [p.partner_id for p in other.state.partners] == [
        "par_nord-universitet",
        "par_statsforvalteren-i-nordland",
    ]


def test_an_archived_network_takes_no_changes() -> None:
    with pytest.raises(Conflict, match="archived"):
        networks.update_network(archived(), name="Nytt navn")
    with pytest.raises(Conflict, match="archived"):
        networks.assign_coordinator(archived(), "u-2")


def test_an_announcement_belongs_to_the_network_and_its_region() -> None:
    change = announcements.post(
        "ann_1", network(), " Ny runde ", " Søk innen 1. mars. ", Language.NN, "u-1", NOW
    )
    posted = change.state
    assert (posted.network_id, posted.region_id) == ("net_1", "rkk-salten")
    assert (posted.title, posted.body, posted.posted_at) == ("Ny runde", "Søk innen 1. mars.", NOW)
    (fact,) = list(change.facts)
    assert isinstance(fact, AnnouncementPosted)
    assert (fact.network_id, fact.announcement_id, fact.language) == ("net_1", "ann_1", "nn")


def test_nothing_is_announced_in_an_archived_network() -> None:
    with pytest.raises(Conflict, match="archived"):
        announcements.post("ann_1", archived(), "Ny runde", "Tekst", Language.NB, "u-1", NOW)


def test_a_region_is_registered_with_its_name_trimmed() -> None:
    change = regions.register("rkk-salten", " RKK Salten ", NOW)
    assert (change.state.id, change.state.name, change.state.created_at) == (
        "rkk-salten",
        "RKK Salten",
        NOW,
    )
    assert list(change.facts) == []
