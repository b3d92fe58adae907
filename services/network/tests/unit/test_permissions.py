"""Who may change what: the README's table, checked for a coordinator, the author
municipality's administrator, a neighbour's administrator and a coordinator elsewhere."""

from dataclasses import dataclass

import pytest
from samling_contracts.vocabulary import Country
from samling_network.domain import municipalities, permissions

from services.network.tests.unit.builders import NOW, a_draft


@dataclass(frozen=True)
class Caller:
    region_id: str | None = None
    municipality_id: str | None = None

    def is_coordinator_of(self, region_id: str | None) -> bool:
        return self.region_id is not None and self.region_id == region_id

    def is_admin_of(self, municipality_id: str | None) -> bool:
        return self.municipality_id is not None and self.municipality_id == municipality_id


CALLERS = {
    "coordinator of salten": Caller(region_id="rkk-salten"),
    "admin of bodo": Caller(municipality_id="NO-1804"),
    "admin of fauske": Caller(municipality_id="NO-1841"),
    "coordinator elsewhere": Caller(region_id="rkk-trondelag"),
    "participant": Caller(),
}
BODO = municipalities.register("rkk-salten", Country.NO, "1804", "Bodø", [], NOW).state


@pytest.mark.parametrize(
    ("caller", "manages", "writes", "moderates"),
    [
        ("coordinator of salten", True, False, True),
        ("admin of bodo", True, True, True),
        ("admin of fauske", False, False, False),
        ("coordinator elsewhere", False, False, False),
        ("participant", False, False, False),
    ],
)
def test_who_changes_bodos_things(
    caller: str, manages: bool, writes: bool, moderates: bool
) -> None:
    who = CALLERS[caller]
    report = a_draft()  # Bodø's, in RKK Salten
    assert permissions.manages_membership(who, "rkk-salten", "NO-1804") is manages
    assert permissions.manages_municipality(who, BODO) is manages
    assert permissions.writes_report(who, report) is writes
    assert permissions.moderates_report(who, report) is moderates


def test_a_municipality_is_managed_by_its_own_region_only() -> None:
    elsewhere = BODO.model_copy(update={"region_id": "rkk-trondelag"})
    assert not permissions.manages_municipality(CALLERS["coordinator of salten"], elsewhere)
    assert permissions.manages_municipality(CALLERS["admin of bodo"], elsewhere)
