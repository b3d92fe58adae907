"""What every router of the network service shares: dependencies, errors, roles."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Query, Request
from samling_runtime.auth import CurrentPrincipal, Principal, Role
from samling_runtime.inputs import page_limit
from samling_runtime.problems import Problem, ProblemDetails, not_found
from samling_runtime.service import Runtime, current_runtime

from samling_network.adapters.store.stores import Stores
from samling_network.container import started_in
from samling_network.domain import access
from samling_network.domain.access import ReaderScope
from samling_network.domain.networks import Network
from samling_network.settings import NetworkSettings

OSLO = ZoneInfo("Europe/Oslo")


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route may give."""
    return {
        code: {"model": ProblemDetails, "content": {"application/problem+json": {}}}
        for code in (401, 422, *codes)
    }


async def stores_of(request: Request) -> Stores:
    return started_in(request.app).get().stores


async def settings_of(request: Request) -> NetworkSettings:
    return started_in(request.app).get().settings


StoresDep = Annotated[Stores, Depends(stores_of)]
SettingsDep = Annotated[NetworkSettings, Depends(settings_of)]
RuntimeDep = Annotated[Runtime, Depends(current_runtime)]
Cursor = Annotated[str | None, Query(description="From the previous page's next_cursor.")]


@dataclass(frozen=True)
class MembershipsPage:
    """Which page of a network's or a municipality's memberships to list: present and past,
    or with ``active`` only the present (true) or only the ended (false) ones."""

    active: bool | None
    cursor: str | None
    limit: int


def memberships_page(
    active: bool | None = None, cursor: Cursor = None, limit: int = page_limit()
) -> MembershipsPage:
    return MembershipsPage(active, cursor, limit)


MembershipsPageDep = Annotated[MembershipsPage, Depends(memberships_page)]


def today(runtime: Runtime) -> date:
    """Today's date where the users are (memberships start and end on local dates)."""
    return runtime.clock.now().astimezone(OSLO).date()


def forbidden(detail: str) -> Problem:
    return Problem(403, detail, kind="forbidden")


def coordinator_region(principal: Principal) -> str:
    """The region of a coordinator, or 403 for anyone else."""
    if Role.COORDINATOR not in principal.roles or not principal.region_id:
        raise forbidden("This needs the coordinator role for a region.")
    return principal.region_id


def require_coordinator_of(principal: Principal, region_id: str) -> None:
    if not principal.is_coordinator_of(region_id):
        raise forbidden(f"Only a coordinator of the region {region_id} may do this.")


# Role checks as dependencies: FastAPI solves dependencies before it validates the body, so
# a caller without the right gets 401/403 and never learns what a valid body looks like.


async def _coordinator_region(principal: CurrentPrincipal) -> str:
    return coordinator_region(principal)


CoordinatorRegion = Annotated[str, Depends(_coordinator_region)]
"""The caller's region; 403 unless they coordinate one."""


async def _coordinated_network(
    network_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> Network:
    network = await load_network(stores, network_id)
    require_coordinator_of(principal, network.region_id)
    return network


CoordinatedNetwork = Annotated[Network, Depends(_coordinated_network)]
"""The path's network; 404 when there is none, 403 unless the caller coordinates its region."""


def any_role(*roles: Role) -> Any:
    """A dependency that refuses (403) a caller with none of ``roles``."""

    async def check(principal: CurrentPrincipal) -> None:
        if not any(principal.has(role) for role in roles):
            raise forbidden("This needs one of the roles " + ", ".join(roles) + ".")

    return Depends(check)


async def reader_scope(principal: Principal, stores: Stores) -> ReaderScope:
    """What the caller may read besides public reports, from their token and memberships."""
    if principal.has(Role.MUNICIPALITY_ADMIN) and principal.municipality_id:
        municipality_id = principal.municipality_id
        region_id = await stores.municipalities.region_of(municipality_id)
        network_ids = await stores.memberships.active_networks_of(municipality_id)
        return access.author_scope(municipality_id, region_id, network_ids)
    if principal.has(Role.COORDINATOR) and principal.region_id:
        return access.region_scope(principal.region_id)
    return ReaderScope()


async def load_network(stores: Stores, network_id: str) -> Network:
    found = await stores.networks.get(network_id)
    if found is None:
        raise not_found("Network")
    return found
