"""HTTP routes for municipalities and their contact persons."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, BeforeValidator, EmailStr, Field, model_validator
from samling_contracts.network import ContactPerson
from samling_contracts.vocabulary import Country, EmailDomain, Language
from samling_kernel.ids import new_id
from samling_runtime.auth import CurrentPrincipal, Principal
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page
from samling_runtime.problems import Problem, conflict, not_found
from samling_runtime.store import AlreadyExists

from samling_network.adapters.api.common import (
    CoordinatorRegion,
    Cursor,
    MembershipsPageDep,
    RuntimeDep,
    StoresDep,
    forbidden,
    problems,
)
from samling_network.domain import municipalities as rules
from samling_network.domain import permissions
from samling_network.domain.memberships import Membership
from samling_network.domain.municipalities import Municipality

router = APIRouter(prefix="/municipalities", tags=["municipalities"])


class ContactPersonIn(RequestBody):
    contact_id: SingleLine | None = Field(
        None,
        max_length=100,
        description="Keep an existing contact's id when changing them; leave out for a new one.",
        examples=[None],
    )
    name: SingleLine = Field(min_length=2, max_length=200, examples=["Åse Ørnes"])
    email: EmailStr = Field(examples=["ase.ornes@bodo.kommune.no"])
    language: Language = Field(Language.NB, examples=["nb"])
    role: SingleLine | None = Field(None, max_length=200, examples=["Kommunalsjef oppvekst"])


def resolve(existing: list[ContactPerson], people: list[ContactPersonIn]) -> list[ContactPerson]:
    incoming = [
        rules.ContactInput(
            contact_id=p.contact_id,
            name=p.name,
            email=str(p.email),
            language=p.language,
            role=p.role,
        )
        for p in people
    ]
    return rules.resolve_contacts(existing, incoming, [new_id("con") for _ in people])


DomainIn = Annotated[EmailDomain, BeforeValidator(rules.normalise_domain)]
EmailDomains = Annotated[
    list[DomainIn],
    Field(
        max_length=20,
        description="E-mail domains of the municipality's staff: someone registering without "
        "an account with an address in one of them takes the municipality's member seat or "
        "contingent without its approval.",
        examples=[["bodo.kommune.no"]],
    ),
]


class NewMunicipality(RequestBody):
    country: Country = Field(examples=["NO"])
    number: str = Field(
        description="Official number: NO and SE four digits, DK three digits.", examples=["1804"]
    )
    name: SingleLine = Field(min_length=2, max_length=200, examples=["Bodø"])
    contacts: list[ContactPersonIn] = Field(default_factory=list, max_length=50)
    email_domains: EmailDomains = Field(default_factory=list)

    @model_validator(mode="after")
    def _number(self) -> "NewMunicipality":
        self.number = rules.check_number(self.country, self.number)
        return self


class ContactsIn(RequestBody):
    contacts: list[ContactPersonIn] = Field(max_length=50)


class EmailDomainsIn(RequestBody):
    email_domains: EmailDomains


class MunicipalityOut(BaseModel):
    id: str = Field(examples=["NO-1804"])
    region_id: str = Field(examples=["rkk-salten"])
    country: Country
    number: str = Field(examples=["1804"])
    name: str = Field(examples=["Bodø"])
    email_domains: list[str] = Field(
        default_factory=list,
        description="E-mail domains of the municipality's staff.",
        examples=[["bodo.kommune.no"]],
    )
    contacts: list[ContactPerson] | None = Field(
        None,
        description="Contact persons; only shown to the region's coordinators and the "
        "municipality's own administrators.",
    )


def out(municipality: Municipality, principal: Principal) -> MunicipalityOut:
    return MunicipalityOut(
        **municipality.model_dump(exclude={"contacts", "registered_at"}),
        contacts=municipality.contacts
        if permissions.manages_municipality(principal, municipality)
        else None,
    )


@router.post(
    "",
    status_code=201,
    response_model=MunicipalityOut,
    responses=problems(403, 409),
    summary="Register a municipality in the coordinator's region",
)
async def register_municipality(
    region_id: CoordinatorRegion,
    body: NewMunicipality,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:

    async def operation() -> tuple[int, MunicipalityOut]:
        if await stores.regions.get(region_id) is None:
            raise Problem(
                422, f"Register the region {region_id} first.", kind="region-not-registered"
            )
        change = rules.register(
            region_id,
            body.country,
            body.number,
            body.name,
            resolve([], body.contacts),
            runtime.clock.now(),
            body.email_domains,
        )
        try:
            await stores.municipalities.create(change.state.id, change)
        except AlreadyExists:
            raise conflict(f"The municipality {change.state.id} is already registered.") from None
        return 201, out(change.state, principal)

    return await runtime.idempotency.run(
        scope=f"municipalities:{principal.subject}",
        key=idempotency_key,
        body=body,
        operation=operation,
    )


@router.get(
    "",
    response_model=Page[MunicipalityOut],
    responses=problems(400),
    summary="List municipalities",
)
async def list_municipalities(
    principal: CurrentPrincipal,
    stores: StoresDep,
    region_id: Annotated[str | None, Query(examples=["rkk-salten"])] = None,
    country: Country | None = None,
    cursor: Cursor = None,
    limit: int = page_limit(),
) -> Page[MunicipalityOut]:
    """Contact persons are left out of lists; read one municipality to see them."""
    found = await stores.municipalities.page(
        region_id=region_id, country=country, cursor=cursor, limit=limit
    )
    return Page[MunicipalityOut](
        items=[out(m, principal).model_copy(update={"contacts": None}) for m in found.items],
        next_cursor=found.next_cursor,
    )


async def load(stores: StoresDep, municipality_id: str) -> Municipality:
    found = await stores.municipalities.get(municipality_id)
    if found is None:
        raise not_found("Municipality")
    return found


@router.get(
    "/{municipality_id}",
    response_model=MunicipalityOut,
    responses=problems(404),
    summary="Get a municipality",
)
async def get_municipality(
    municipality_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> MunicipalityOut:
    return out(await load(stores, municipality_id), principal)


async def _municipality_manager(
    municipality_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> Municipality:
    municipality = await load(stores, municipality_id)
    if not permissions.manages_municipality(principal, municipality):
        raise forbidden("Only the municipality's administrators or its region's coordinators.")
    return municipality


@router.put(
    "/{municipality_id}/contacts",
    response_model=MunicipalityOut,
    responses=problems(403, 404),
    summary="Replace the municipality's contact persons",
)
async def replace_contacts(
    municipality_id: str,
    _: Annotated[Municipality, Depends(_municipality_manager)],
    body: ContactsIn,
    principal: CurrentPrincipal,
    stores: StoresDep,
) -> MunicipalityOut:
    """The municipality's administrators or the region's coordinators set the full list."""
    updated = await stores.municipalities.update(
        municipality_id,
        lambda m: rules.change_contacts(m, resolve(m.contacts, body.contacts)),
    )
    return out(updated, principal)


@router.put(
    "/{municipality_id}/email-domains",
    response_model=MunicipalityOut,
    responses=problems(403, 404),
    summary="Replace the municipality's e-mail domains",
)
async def replace_email_domains(
    municipality_id: str,
    _: Annotated[Municipality, Depends(_municipality_manager)],
    body: EmailDomainsIn,
    principal: CurrentPrincipal,
    stores: StoresDep,
) -> MunicipalityOut:
    """The municipality's administrators or the region's coordinators set the full list."""
    updated = await stores.municipalities.update(
        municipality_id, lambda m: rules.change_email_domains(m, body.email_domains)
    )
    return out(updated, principal)


@router.get(
    "/{municipality_id}/memberships",
    response_model=Page[Membership],
    responses=problems(400, 404),
    summary="The municipality's memberships, past and present",
)
async def municipality_memberships(
    municipality_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    page: MembershipsPageDep,
) -> Page[Membership]:
    await load(stores, municipality_id)
    return await stores.memberships.of_municipality(
        municipality_id, page.active, page.cursor, page.limit
    )
