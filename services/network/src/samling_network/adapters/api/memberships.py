"""HTTP routes for memberships: municipalities joining and leaving networks."""

from datetime import date

from fastapi import APIRouter
from pydantic import Field
from samling_runtime.auth import CurrentPrincipal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody
from samling_runtime.pagination import Page
from samling_runtime.problems import Problem, not_found
from samling_runtime.store import AlreadyExists

from samling_network.adapters.api.common import (
    MembershipsPageDep,
    RuntimeDep,
    StoresDep,
    any_role,
    forbidden,
    load_network,
    problems,
    today,
)
from samling_network.domain import memberships as rules
from samling_network.domain import permissions
from samling_network.domain.errors import Conflict
from samling_network.domain.memberships import Membership
from samling_network.domain.municipalities import MunicipalityRef

router = APIRouter(prefix="/networks/{network_id}/memberships", tags=["memberships"])


class Join(RequestBody):
    municipality_id: MunicipalityRef
    starts_on: date | None = Field(None, description="First day; today when left out.")


class Leave(RequestBody):
    ends_on: date | None = Field(None, description="Last day; today when left out.")


@router.post(
    "",
    status_code=201,
    response_model=Membership,
    responses=problems(403, 404, 409),
    summary="A municipality joins the network",
    dependencies=[any_role(Role.COORDINATOR, Role.MUNICIPALITY_ADMIN)],
)
async def join_network(
    network_id: str,
    body: Join,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """The municipality's administrator or a coordinator of the network's region adds it.
    A municipality has at most one active membership per network (409 otherwise)."""
    network = await load_network(stores, network_id)
    if not permissions.manages_membership(principal, network.region_id, body.municipality_id):
        raise forbidden("Only the municipality's administrators or the region's coordinators.")

    async def operation() -> tuple[int, Membership]:
        rules.require_joinable(network)
        municipality = await stores.municipalities.get(body.municipality_id)
        if municipality is None:
            raise Problem(
                422,
                f"The municipality {body.municipality_id} is not registered.",
                kind="municipality-not-registered",
            )
        if municipality.region_id != network.region_id:
            raise Problem(
                422,
                f"{municipality.name} belongs to another region than this network.",
                kind="other-region",
            )
        latest = await stores.memberships.latest(network_id, body.municipality_id)
        change = rules.join(
            network_id,
            body.municipality_id,
            network.region_id,
            latest,
            body.starts_on or today(runtime),
        )
        try:
            created = await stores.memberships.create(change.state.id, change)
        except AlreadyExists:
            # Another request created the same membership number first.
            raise Conflict(f"{body.municipality_id} is already a member of this network.") from None
        return 201, created

    return await runtime.idempotency.run(
        scope=f"memberships:{network_id}:{principal.subject}",
        key=idempotency_key,
        body=body,
        operation=operation,
    )


@router.get(
    "",
    response_model=Page[Membership],
    responses=problems(400, 404),
    summary="The network's memberships, present and (with active=false) past",
)
async def list_memberships(
    network_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    page: MembershipsPageDep,
) -> Page[Membership]:
    await load_network(stores, network_id)
    return await stores.memberships.of_network(network_id, page.active, page.cursor, page.limit)


@router.post(
    "/{membership_id}/leave",
    response_model=Membership,
    responses=problems(403, 404, 409),
    summary="The municipality leaves the network",
)
async def leave_network(
    network_id: str,
    membership_id: str,
    body: Leave,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> Membership:
    membership = await stores.memberships.get(membership_id)
    if membership is None or membership.network_id != network_id:
        raise not_found("Membership")
    if not permissions.manages_membership(
        principal, membership.region_id, membership.municipality_id
    ):
        raise forbidden("Only the municipality's administrators or the region's coordinators.")
    ends_on = body.ends_on or today(runtime)
    return await stores.memberships.update(membership_id, lambda m: rules.leave(m, ends_on))
