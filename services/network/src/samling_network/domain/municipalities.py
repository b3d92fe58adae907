"""Municipalities (kommuner / kommuner / kommuner) and their contact persons: pure rules."""

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from samling_contracts.network import (
    ContactPerson,
    ContactPersonsChanged,
    MunicipalityEmailDomainsChanged,
    MunicipalityRegistered,
)
from samling_contracts.vocabulary import Country, Language
from samling_kernel.decisions import Change

from samling_network.domain.official_municipalities import official_municipalities

# How long an official municipality number is, per country, and an example to show.
NUMBER_RULES: dict[Country, tuple[int, str]] = {
    Country.NO: (4, "a Norwegian kommunenummer has four digits, e.g. 1804 for Bodø"),
    Country.SE: (4, "a Swedish kommunkod has four digits, e.g. 0180 for Stockholm"),
    Country.DK: (3, "a Danish kommunekode has three digits, e.g. 851 for Aalborg"),
}

# Whose list an official number must be on, to say so when it is not.
OFFICIAL_LISTS: dict[Country, str] = {
    Country.NO: "Statistics Norway's (SSB) classification 131 of Norway's municipalities",
    Country.SE: "Statistics Sweden's (SCB) kommunkoder of Sweden's municipalities",
    Country.DK: "Denmark's kommunekoder (Danmarks Statistik, DAGI) of its municipalities",
}


def check_number(country: Country, number: str) -> str:
    """The official number, or a validation error that says what a valid one looks like."""
    digits, explanation = NUMBER_RULES[country]
    cleaned = number.strip()
    if len(cleaned) != digits or not cleaned.isascii() or not cleaned.isdigit():
        raise PydanticCustomError(
            "municipality_number",
            "'{number}' is not a valid municipality number: {explanation}.",
            {"number": number, "explanation": explanation},
        )
    if cleaned not in official_municipalities(country):
        raise PydanticCustomError(
            "municipality_number_unknown",
            "'{number}' is not an official municipality number: it is not on {source} "
            "({count} municipalities).",
            {
                "number": number,
                "source": OFFICIAL_LISTS[country],
                "count": len(official_municipalities(country)),
            },
        )
    return cleaned


def check_municipality_id(value: str) -> str:
    if not re.fullmatch(r"(NO|SE|DK)-\d{3,4}", value):
        raise PydanticCustomError(
            "municipality_id",
            "'{value}' is not a municipality id: write the country code and the official "
            "number, e.g. NO-1804 (Bodø), SE-0180 (Stockholm) or DK-851 (Aalborg).",
            {"value": value},
        )
    return value


MunicipalityRef = Annotated[str, AfterValidator(check_municipality_id), Field(examples=["NO-1804"])]


def municipality_id(country: Country, number: str) -> str:
    """The id the contracts use: country code and official number, e.g. ``NO-1804``."""
    return f"{country.value}-{number}"


class Municipality(BaseModel):
    id: str = Field(examples=["NO-1804"])
    region_id: str = Field(examples=["rkk-salten"])
    country: Country
    number: str = Field(examples=["1804"])
    name: str = Field(examples=["Bodø"])
    contacts: list[ContactPerson] = Field(default_factory=list)
    email_domains: list[str] = Field(default_factory=list, examples=[["bodo.kommune.no"]])
    registered_at: datetime


def register(
    region_id: str,
    country: Country,
    number: str,
    name: str,
    contacts: list[ContactPerson],
    now: datetime,
    email_domains: list[str] | None = None,
) -> Change[Municipality]:
    municipality = Municipality(
        id=municipality_id(country, number),
        region_id=region_id,
        country=country,
        number=number,
        name=name.strip(),
        contacts=contacts,
        email_domains=sorted(set(email_domains or [])),
        registered_at=now,
    )
    facts: list[Any] = [
        MunicipalityRegistered(
            municipality_id=municipality.id,
            region_id=region_id,
            number=number,
            name=municipality.name,
            country=country,
        )
    ]
    if contacts:
        facts.append(ContactPersonsChanged(municipality_id=municipality.id, contacts=contacts))
    if municipality.email_domains:
        facts.append(
            MunicipalityEmailDomainsChanged(
                municipality_id=municipality.id, email_domains=municipality.email_domains
            )
        )
    return Change(municipality, facts)


def change_email_domains(
    municipality: Municipality, email_domains: list[str]
) -> Change[Municipality] | None:
    """Replace the e-mail domains; the fact carries the full new list (a snapshot)."""
    domains = sorted(set(email_domains))
    if domains == municipality.email_domains:
        return None
    changed = municipality.model_copy(update={"email_domains": domains})
    return Change(
        changed,
        [MunicipalityEmailDomainsChanged(municipality_id=changed.id, email_domains=domains)],
    )


def normalise_domain(value: object) -> object:
    """What people type (``Bodø.Kommune.no``, `` bodo.kommune.no.``) as the lower-case host name
    the contracts carry (IDNA for non-ASCII labels); anything else is left to the validator."""
    if not isinstance(value, str):
        return value
    cleaned = value.strip().rstrip(".").lower()
    try:
        return cleaned.encode("idna").decode("ascii")
    except UnicodeError:
        return cleaned


def change_contacts(
    municipality: Municipality, contacts: list[ContactPerson]
) -> Change[Municipality] | None:
    """Replace the contact persons; the fact carries the full new list (a snapshot)."""
    if contacts == municipality.contacts:
        return None
    changed = municipality.model_copy(update={"contacts": contacts})
    return Change(changed, [ContactPersonsChanged(municipality_id=changed.id, contacts=contacts)])


class ContactInput(BaseModel):
    contact_id: str | None = None
    name: str
    email: str
    language: Language = Language.NB
    role: str | None = None


def resolve_contacts(
    existing: list[ContactPerson], incoming: list[ContactInput], fresh_ids: list[str]
) -> list[ContactPerson]:
    """Give each incoming contact its id: the one sent, else the id of an existing contact
    with the same e-mail address, else a fresh one (so sending the same list twice is no
    change)."""
    by_email = {c.email.lower(): c.contact_id for c in existing}
    fresh = iter(fresh_ids)
    return [
        ContactPerson(
            contact_id=person.contact_id or by_email.get(person.email.lower()) or next(fresh),
            name=person.name.strip(),
            email=person.email,
            language=person.language,
            role=person.role.strip() if person.role and person.role.strip() else None,
        )
        for person in incoming
    ]
