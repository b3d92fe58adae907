"""How a municipality, a region and an e-mail domain must be written, and a municipality's
contact persons replaced."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError
from samling_contracts.network import ContactPerson, ContactPersonsChanged
from samling_contracts.vocabulary import Country, Language
from samling_network.domain import municipalities
from samling_network.domain.municipalities import MunicipalityRef
from samling_network.domain.regions import RegionId

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MUNICIPALITY = TypeAdapter(MunicipalityRef)
REGION = TypeAdapter(RegionId)


@pytest.mark.parametrize("value", ["NO-1804", "SE-0180", "DK-851"])
def test_a_municipality_id_is_a_country_and_an_official_number(value: str) -> None:
    assert MUNICIPALITY.validate_python(value) == value


@pytest.mark.parametrize("value", ["1804", "no-1804", "FI-091", "NO-18045", "NO 1804", "NO-18"])
def test_anything_else_is_no_municipality_id_and_the_error_shows_how_to_write_one(
    value: str,
) -> None:
    with pytest.raises(ValidationError, match="is not a municipality id: write the country code"):
        MUNICIPALITY.validate_python(value)


@pytest.mark.parametrize("value", ["rkk-salten", "r2", "a" * 63])
def test_a_region_id_is_two_to_63_lower_case_letters_digits_and_dashes(value: str) -> None:
    assert REGION.validate_python(value) == value


@pytest.mark.parametrize(
    "value", ["RKK Salten", "r", "a" * 64, "-salten", "rkk_salten", "rkk-sålten"]
)
def test_anything_else_is_no_region_id(value: str) -> None:
    with pytest.raises(ValidationError, match="is not a region id: use 2 to 63"):
        REGION.validate_python(value)


def test_a_domain_that_is_no_host_name_is_left_for_the_validator_to_refuse() -> None:
    # IDNA refuses an empty label; the cleaned text goes on so the validator names the problem.
    assert municipalities.normalise_domain(" Bodø..Kommune.no. ") == "bodø..kommune.no"
    assert municipalities.normalise_domain(1804) == 1804
    assert municipalities.normalise_domain(None) is None


def test_new_contact_persons_replace_the_old_and_the_fact_carries_the_whole_list() -> None:
    ase = ContactPerson(contact_id="con_1", name="Åse", email="ase@bodo.no", language=Language.NB)
    registered = municipalities.register("rkk-salten", Country.NO, "1804", "Bodø", [ase], NOW)
    ola = ContactPerson(contact_id="con_2", name="Ola", email="ola@bodo.no", language=Language.NN)
    change = municipalities.change_contacts(registered.state, [ase, ola])
    assert change is not None
    assert [c.contact_id for c in change.state.contacts] == ["con_1", "con_2"]
    (fact,) = list(change.facts)
    assert isinstance(fact, ContactPersonsChanged)
    assert (fact.municipality_id, [c.contact_id for c in fact.contacts]) == (
        "NO-1804",
        ["con_1", "con_2"],
    )
    emptied = municipalities.change_contacts(change.state, [])
    assert emptied is not None
    assert emptied.state.contacts == []
