"""A report's lifecycle and the revisions readers can look back on."""

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest
from samling_contracts.network import ReportWithdrawn
from samling_contracts.vocabulary import Visibility
from samling_network.domain import reports
from samling_network.domain.errors import Rejected

from services.network.tests.unit.builders import NOW, a_draft

T0 = NOW


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def draft(
    visibility: Visibility = Visibility.REGION, networks: Sequence[str] = ()
) -> reports.Report:
    return a_draft(visibility, networks, title=" Lesevenner ", now=T0)


def test_a_report_shared_with_networks_names_at_least_one() -> None:
    with pytest.raises(Rejected, match="at least one network"):
        draft(Visibility.NETWORK)
    shared = draft(Visibility.NETWORK, ("net_2", "net_1", "net_2"))
    assert shared.network_ids == ["net_1", "net_2"]
    assert shared.title == "Lesevenner"
    assert shared.text == "Lesevenner\nLesing i Bodø"


def test_publishing_and_withdrawing_twice_are_harmless() -> None:
    published = reports.publish(draft(), at(1))
    assert published is not None
    assert (published.state.revision, published.state.published_at) == (1, at(1))
    assert reports.publish(published.state, at(2)) is None
    withdrawn = reports.withdraw(published.state, at(3))
    assert withdrawn is not None
    assert withdrawn.state.withdrawn_at == at(3)
    (fact,) = list(withdrawn.facts)
    assert isinstance(fact, ReportWithdrawn)
    assert (fact.report_id, fact.municipality_id) == ("rep_1", "NO-1804")
    assert reports.withdraw(withdrawn.state, at(4)) is None


def test_each_published_edit_is_a_revision_dated_when_first_recorded() -> None:
    first = draft()
    edited_draft = reports.edit(first, reports.Edit(title="Utkast 2"), by_author=True, now=at(1))
    assert edited_draft is not None
    published = reports.publish(edited_draft.state, at(2))
    assert published is not None
    revised = reports.edit(
        published.state, reports.Edit(title="Ny tittel"), by_author=True, now=at(3)
    )
    assert revised is not None
    assert revised.state.revision == 2
    withdrawn = reports.withdraw(revised.state, at(4))
    assert withdrawn is not None
    history = [
        (first, at(0)),
        (edited_draft.state, at(1)),
        (published.state, at(2)),
        (revised.state, at(3)),
        (withdrawn.state, at(4)),
    ]
    log = reports.revision_log(history)
    assert [(state.revision, state.title, when) for state, when in log] == [
        (1, "Utkast 2", at(2)),
        (2, "Ny tittel", at(3)),
    ]


def test_a_report_never_published_has_no_revisions() -> None:
    first = draft()
    edited = reports.edit(first, reports.Edit(title="Utkast 2"), by_author=True, now=at(1))
    assert edited is not None
    assert reports.revision_log([(first, at(0)), (edited.state, at(1))]) == []
