"""HTTP routes for learning networks, their coordinators and invited partners."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field
from samling_contracts.vocabulary import NetworkField, PartnerKind
from samling_kernel.ids import new_id
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page

from samling_network.adapters.api.common import (
    CoordinatedNetwork,
    CoordinatorRegion,
    Cursor,
    RuntimeDep,
    StoresDep,
    load_network,
    problems,
)
from samling_network.domain import networks as rules
from samling_network.domain.networks import Network

router = APIRouter(prefix="/networks", tags=["networks"])


class NewNetwork(RequestBody):
    name: SingleLine = Field(
        min_length=2, max_length=200, examples=["Skoleledernettverket i Salten"]
    )
    field: NetworkField = Field(examples=["school"])
    description: MultiLine = Field("", max_length=5000, examples=["Ledelse av lærende skoler."])


class NetworkChange(RequestBody):
    name: SingleLine | None = Field(
        None, min_length=2, max_length=200, examples=["Skoleledere i Salten"]
    )
    field: NetworkField | None = Field(None, examples=["leadership"])
    description: MultiLine | None = Field(None, max_length=5000)


class NewCoordinator(RequestBody):
    user_id: SingleLine = Field(min_length=1, max_length=200, examples=["u-coordinator-2"])


class NewPartner(RequestBody):
    organisation: SingleLine = Field(min_length=2, max_length=200, examples=["Nord universitet"])
    kind: PartnerKind = Field(examples=["university"])


@router.post(
    "",
    status_code=201,
    response_model=Network,
    responses=problems(403),
    summary="Create a learning network in the coordinator's region",
)
async def create_network(
    region_id: CoordinatorRegion,
    body: NewNetwork,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """The coordinator who creates the network becomes its first coordinator."""

    async def operation() -> tuple[int, Network]:
        change = rules.create_network(
            new_id("net"),
            region_id,
            body.name,
            body.field,
            body.description,
            principal.subject,
            runtime.clock.now(),
        )
        return 201, await stores.networks.create(change.state.id, change)

    return await runtime.idempotency.run(
        scope=f"networks:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get("", response_model=Page[Network], responses=problems(400), summary="Find networks")
async def list_networks(
    principal: CurrentPrincipal,
    stores: StoresDep,
    region_id: Annotated[str | None, Query(examples=["rkk-salten"])] = None,
    field: NetworkField | None = None,
    archived: Annotated[bool | None, Query(description="Leave out for both.")] = False,
    municipality_id: Annotated[
        str | None, Query(description="Only networks this municipality is a member of.")
    ] = None,
    cursor: Cursor = None,
    limit: int = page_limit(),
) -> Page[Network]:
    members_of = (
        await stores.memberships.active_networks_of(municipality_id) if municipality_id else None
    )
    return await stores.networks.page(
        region_id=region_id,
        field=field,
        archived=archived,
        among=members_of,
        cursor=cursor,
        limit=limit,
    )


@router.get(
    "/{network_id}", response_model=Network, responses=problems(404), summary="Get a network"
)
async def get_network(network_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Network:
    return await load_network(stores, network_id)


@router.patch(
    "/{network_id}",
    response_model=Network,
    responses=problems(403, 404, 409),
    summary="Change a network's name, field or description",
)
async def update_network(
    network_id: str, network: CoordinatedNetwork, body: NetworkChange, stores: StoresDep
) -> Network:
    return await stores.networks.update(
        network_id, lambda n: rules.update_network(n, body.name, body.field, body.description)
    )


@router.post(
    "/{network_id}/archive",
    response_model=Network,
    responses=problems(403, 404),
    summary="Archive a network (archiving twice is harmless)",
)
async def archive_network(
    network_id: str, network: CoordinatedNetwork, stores: StoresDep
) -> Network:
    return await stores.networks.update(network_id, rules.archive_network)


@router.post(
    "/{network_id}/coordinators",
    response_model=Network,
    responses=problems(403, 404, 409),
    summary="Assign a coordinator to a network (assigning twice is harmless)",
)
async def assign_coordinator(
    network_id: str, network: CoordinatedNetwork, body: NewCoordinator, stores: StoresDep
) -> Network:
    return await stores.networks.update(
        network_id, lambda n: rules.assign_coordinator(n, body.user_id)
    )


@router.post(
    "/{network_id}/partners",
    status_code=201,
    response_model=Network,
    responses=problems(403, 404, 409),
    summary="Invite a partner organisation (university, county governor, research group)",
)
async def invite_partner(
    network_id: str,
    network: CoordinatedNetwork,
    body: NewPartner,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:

    async def operation() -> tuple[int, Network]:
        now = runtime.clock.now()
        updated = await stores.networks.update(
            network_id, lambda n: rules.invite_partner(n, body.organisation, body.kind, now)
        )
        return 201, updated

    return await runtime.idempotency.run(
        scope=f"partners:{network_id}:{principal.subject}",
        key=idempotency_key,
        body=body,
        operation=operation,
    )
