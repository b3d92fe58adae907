"""HTTP routes for learning networks."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from samling_contracts.vocabulary import NetworkField
from samling_runtime.auth import CurrentPrincipal, Role, require_role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.problems import ProblemDetails, not_found
from samling_runtime.service import Runtime, runtime_of

from samling_network.adapters.store.stores import Stores
from samling_network.domain.ids import new_id
from samling_network.domain.networks import Network, create_network

router = APIRouter(prefix="/networks", tags=["networks"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
    for code in (401, 403, 404, 422)
}


def stores(request: Request) -> Stores:
    found: Stores = runtime_of(request).state["stores"]
    return found


StoresDep = Annotated[Stores, Depends(stores)]
RuntimeDep = Annotated[Runtime, Depends(runtime_of)]


class NewNetwork(BaseModel):
    name: str = Field(min_length=2, max_length=200, examples=["Skoleledernettverket i Salten"])
    field: NetworkField = Field(examples=["school"])
    description: str = Field("", max_length=5000)


@router.post("", status_code=201, response_model=Network, responses=ERRORS)
async def create(
    body: NewNetwork,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a learning network in the coordinator's region."""
    require_role(principal, Role.COORDINATOR)
    region_id = principal.region_id or ""

    async def operation() -> tuple[int, Network]:
        change = create_network(
            new_id("net"), region_id, body.name, body.field, body.description, principal.subject
        )
        created = await stores.networks.create(change.state.id, change)
        return 201, created.state

    return await runtime.idempotency.run(
        scope=f"networks:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get("/{network_id}", response_model=Network, responses=ERRORS)
async def get(network_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Network:
    doc = await stores.networks.current.find_one({"_id": network_id})
    if doc is None:
        raise not_found("Network")
    return stores.networks.from_current(doc)
