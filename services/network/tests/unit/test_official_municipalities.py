"""The shipped lists of official municipality numbers and the refresh script's parsers."""

import pytest
from pydantic import ValidationError
from samling_contracts.vocabulary import Country
from samling_network import demo
from samling_network.adapters.api.municipalities import NewMunicipality
from samling_network.domain.official_municipalities import official_municipalities
from samling_network.refresh_municipalities import from_dagi, from_scb, from_ssb


@pytest.mark.parametrize(
    ("country", "count"), [(Country.NO, 357), (Country.SE, 290), (Country.DK, 98)]
)
def test_each_country_has_its_current_municipalities(country: Country, count: int) -> None:
    numbers = official_municipalities(country)
    assert len(numbers) == count
    digits = 3 if country is Country.DK else 4
    assert all(len(n) == digits and n.isdigit() for n in numbers)


def test_well_known_numbers_are_on_the_lists() -> None:
    norway = official_municipalities(Country.NO)
    assert (norway["1804"], norway["0301"]) == ("Bodø", "Oslo")
    assert norway["1841"].startswith("Fauske")
    assert "1580" in norway  # Haram, a municipality again since 2024
    assert "3005" not in norway  # Drammen's number in Viken (2020-2023)
    assert official_municipalities(Country.SE)["0180"] == "Stockholm"
    assert official_municipalities(Country.DK)["101"] == "København"
    assert "411" not in official_municipalities(Country.DK)  # Christiansø


def test_the_demo_uses_real_municipalities() -> None:
    norway = official_municipalities(Country.NO)
    for number, name, _person, _domain in demo.MUNICIPALITIES:
        assert norway[number].endswith(name) or norway[number].startswith(name), number


@pytest.mark.parametrize(("country", "number"), [("NO", "0000"), ("SE", "9999"), ("DK", "999")])
def test_a_well_formed_number_that_is_no_municipality_is_refused(country: str, number: str) -> None:
    with pytest.raises(ValidationError, match="is not an official municipality number"):
        NewMunicipality(country=Country(country), number=number, name="Prøve")


def test_the_refresh_parses_each_source() -> None:
    ssb = {"codes": [{"code": "1804", "name": "Bodø"}, {"code": "9999", "name": "Uoppgitt"}]}
    assert from_ssb(ssb) == {"1804": "Bodø"}
    scb = {
        "variables": [
            {
                "code": "Region",
                "values": ["00", "01", "0180"],
                "valueTexts": ["Riket", "Stockholms län", "Stockholm"],
            }
        ]
    }
    assert from_scb(scb) == {"0180": "Stockholm"}
    dagi = [{"kode": "0101", "navn": "København"}, {"kode": "0411", "navn": "Christiansø"}]
    assert from_dagi(dagi) == {"101": "København"}
