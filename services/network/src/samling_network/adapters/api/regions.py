"""HTTP routes for regions (regional competence offices such as RKK Salten)."""

from fastapi import APIRouter
from pydantic import Field
from samling_runtime.auth import CurrentPrincipal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page
from samling_runtime.problems import conflict, not_found
from samling_runtime.store import AlreadyExists

from samling_network.adapters.api.common import (
    Cursor,
    RuntimeDep,
    StoresDep,
    any_role,
    forbidden,
    problems,
)
from samling_network.domain import regions as rules
from samling_network.domain.regions import Region, RegionId

router = APIRouter(prefix="/regions", tags=["regions"])


class NewRegion(RequestBody):
    id: RegionId
    name: SingleLine = Field(min_length=2, max_length=200, examples=["RKK Salten"])


@router.post(
    "",
    status_code=201,
    response_model=Region,
    responses=problems(403, 409),
    summary="Register a region",
    dependencies=[any_role(Role.SYSTEM, Role.COORDINATOR)],
)
async def create_region(
    body: NewRegion,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """A system client registers any region; a coordinator only the region in their token."""
    if not (principal.has(Role.SYSTEM) or principal.is_coordinator_of(body.id)):
        raise forbidden("Only a system client or the region's own coordinator may register it.")

    async def operation() -> tuple[int, Region]:
        change = rules.register(body.id, body.name, runtime.clock.now())
        try:
            region = await stores.regions.create(body.id, change)
        except AlreadyExists:
            raise conflict(f"The region {body.id} is already registered.") from None
        return 201, region

    return await runtime.idempotency.run(
        scope=f"regions:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get("", response_model=Page[Region], responses=problems(400), summary="List regions")
async def list_regions(
    principal: CurrentPrincipal, stores: StoresDep, cursor: Cursor = None, limit: int = page_limit()
) -> Page[Region]:
    return await stores.regions.page(cursor, limit)


@router.get("/{region_id}", response_model=Region, responses=problems(404), summary="Get a region")
async def get_region(region_id: str, principal: CurrentPrincipal, stores: StoresDep) -> Region:
    found = await stores.regions.get(region_id)
    if found is None:
        raise not_found("Region")
    return found
