"""The network service's pure rules, without I/O."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError
from samling_contracts.network import (
    ContactPerson,
    MunicipalityRegistered,
    ReportPublished,
    ReportRevised,
)
from samling_contracts.vocabulary import Country, Language, PartnerKind, Visibility
from samling_network.adapters.api.municipalities import NewMunicipality
from samling_network.domain import memberships, municipalities, networks, reports
from samling_network.domain.errors import Conflict, Forbidden, Rejected

from services.network.tests.unit.builders import a_draft

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "number", "ok"),
    [
        ("NO", "1804", True),
        ("NO", " 1804 ", True),
        ("NO", "184", False),
        ("NO", "18045", False),
        ("NO", "\uff11\uff18\uff10\uff14", False),  # full-width digits are not an official number
        ("SE", "0180", True),
        ("SE", "180", False),
        ("DK", "851", True),
        ("DK", "0851", False),
    ],
)
def test_municipality_numbers_per_country(country: str, number: str, ok: bool) -> None:
    if ok:
        parsed = NewMunicipality(country=Country(country), number=number, name="Prøve")
        assert parsed.number == number.strip()
    else:
        with pytest.raises(ValidationError, match="is not a valid municipality number"):
            NewMunicipality(country=Country(country), number=number, name="Prøve")


def test_registering_with_contacts_publishes_both_facts() -> None:
    contact = ContactPerson(contact_id="con_1", name="Åse", email="a@b.no", language=Language.NB)
    change = municipalities.register("rkk-salten", Country.NO, "1804", "Bodø", [contact], NOW)
    assert change.state.id == "NO-1804"
    kinds = [type(f).__name__ for f in change.facts]
    assert kinds == ["MunicipalityRegistered", "ContactPersonsChanged"]
    assert isinstance(next(iter(change.facts)), MunicipalityRegistered)
    assert municipalities.change_contacts(change.state, [contact]) is None


def test_email_domains_are_a_sorted_snapshot_and_unchanged_lists_say_nothing() -> None:
    change = municipalities.register(
        "rkk-salten", Country.NO, "1804", "Bodø", [], NOW, ["skole.bodo.no", "bodo.kommune.no"]
    )
    assert [type(f).__name__ for f in change.facts] == [
        "MunicipalityRegistered",
        "MunicipalityEmailDomainsChanged",
    ]
    assert change.state.email_domains == ["bodo.kommune.no", "skole.bodo.no"]
    assert (
        municipalities.change_email_domains(change.state, ["bodo.kommune.no", "skole.bodo.no"])
        is None
    )
    cleared = municipalities.change_email_domains(change.state, [])
    assert cleared is not None
    assert [f.model_dump() for f in cleared.facts] == [
        {"municipality_id": "NO-1804", "email_domains": []}
    ]
    assert municipalities.normalise_domain(" Bodø.Kommune.NO. ") == "xn--bod-2na.kommune.no"


def test_contacts_keep_their_id_by_email() -> None:
    existing = [
        ContactPerson(contact_id="con_1", name="Åse", email="Ase@b.no", language=Language.NB)
    ]
    incoming = [
        municipalities.ContactInput(name="Åse Ørnes", email="ase@b.no"),
        municipalities.ContactInput(name="Ny", email="ny@b.no"),
    ]
    resolved = municipalities.resolve_contacts(existing, incoming, ["con_2", "con_3"])
    assert [c.contact_id for c in resolved] == ["con_1", "con_2"]


def test_partner_ids_are_readable_slugs() -> None:
    assert networks.partner_id("Nord universitet") == "par_nord-universitet"
    assert networks.partner_id("Statsforvalteren i Nordland") == "par_statsforvalteren-i-nordland"
    assert networks.partner_id("Høgskolen på Østlandet") == "par_hogskolen-pa-ostlandet"


def test_an_archived_network_refuses_changes() -> None:
    network = networks.create_network("net_1", "r", "Nett", "school", "", "u-1", NOW).state  # type: ignore[arg-type]
    archived = networks.archive_network(network)
    assert archived is not None
    assert networks.archive_network(archived.state) is None
    with pytest.raises(Conflict, match="archived"):
        networks.invite_partner(archived.state, "Nord universitet", PartnerKind.UNIVERSITY, NOW)


def test_membership_numbers_follow_the_history() -> None:
    first = memberships.join("net_1", "NO-1804", "r", None, date(2026, 1, 1)).state
    assert first.sequence == 1
    with pytest.raises(Conflict):
        memberships.join("net_1", "NO-1804", "r", first, date(2026, 2, 1))
    ended = memberships.leave(first, date(2026, 6, 30)).state
    with pytest.raises(Rejected, match="start after"):
        memberships.join("net_1", "NO-1804", "r", ended, date(2026, 6, 30))
    second = memberships.join("net_1", "NO-1804", "r", ended, date(2026, 7, 1)).state
    assert second.sequence == 2
    assert second.id != first.id


def _report(visibility: Visibility = Visibility.REGION) -> reports.Report:
    return a_draft(visibility)


def test_publishing_a_private_report_leaves_the_title_out() -> None:
    published = reports.publish(_report(Visibility.PRIVATE), NOW)
    assert published is not None
    fact = next(iter(published.facts))
    assert isinstance(fact, ReportPublished)
    assert fact.title is None
    assert "Lesing" not in fact.model_dump_json()


def test_only_the_author_widens_and_edits_content() -> None:
    published = reports.publish(_report(), NOW)
    assert published is not None
    report = published.state
    with pytest.raises(Forbidden, match="widen"):
        reports.edit(report, reports.Edit(visibility=Visibility.PUBLIC), by_author=False, now=NOW)
    with pytest.raises(Forbidden, match="content"):
        reports.edit(report, reports.Edit(title="Ny"), by_author=False, now=NOW)
    narrowed = reports.edit(
        report, reports.Edit(visibility=Visibility.PRIVATE), by_author=False, now=NOW
    )
    assert narrowed is not None
    assert narrowed.state.revision == 2
    assert isinstance(next(iter(narrowed.facts)), ReportRevised)
    with pytest.raises(Rejected, match="at least one network"):
        reports.edit(report, reports.Edit(visibility=Visibility.NETWORK), by_author=True, now=NOW)
    assert reports.edit(report, reports.Edit(title="Lesevenner"), by_author=True, now=NOW) is None


def test_drafts_change_silently_and_withdrawn_reports_not_at_all() -> None:
    draft = _report()
    edited = reports.edit(draft, reports.Edit(title="Nytt"), by_author=True, now=NOW)
    assert edited is not None
    assert list(edited.facts) == []
    assert edited.state.text.startswith("Nytt")
    with pytest.raises(Conflict):
        reports.withdraw(draft, NOW)
    published = reports.publish(draft, NOW)
    assert published is not None
    withdrawn = reports.withdraw(published.state, NOW)
    assert withdrawn is not None
    with pytest.raises(Conflict):
        reports.publish(withdrawn.state, NOW)
    with pytest.raises(Conflict):
        reports.edit(withdrawn.state, reports.Edit(title="x"), by_author=True, now=NOW)
    revisions = reports.published_revisions([draft, published.state, withdrawn.state])
    assert [r.revision for r in revisions] == [1]


def test_make_up_keeps_running_when_the_demo_cannot_be_seeded() -> None:
    from samling_network.demo import seed_demo

    lines = seed_demo("http://127.0.0.1:9")  # nothing listens on the discard port
    assert lines[0].startswith("The demo data could not be created")
