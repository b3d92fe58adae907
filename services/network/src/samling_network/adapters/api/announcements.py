"""HTTP routes for announcements posted to a network."""

from fastapi import APIRouter
from pydantic import Field
from samling_contracts.vocabulary import Language
from samling_kernel.ids import new_id
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine, page_limit
from samling_runtime.pagination import Page

from samling_network.adapters.api.common import (
    CoordinatedNetwork,
    Cursor,
    RuntimeDep,
    StoresDep,
    load_network,
    problems,
)
from samling_network.domain import announcements as rules
from samling_network.domain.announcements import Announcement

router = APIRouter(prefix="/networks/{network_id}/announcements", tags=["announcements"])


class NewAnnouncement(RequestBody):
    title: SingleLine = Field(
        min_length=2, max_length=200, examples=["Ny runde med kompetansemidler"]
    )
    body: MultiLine = Field(
        min_length=1,
        max_length=10_000,
        description="No personal data: announcements are published to every member.",
        examples=["Søk innen 1. mars. Ta kontakt med RKK Salten for hjelp."],
    )
    language: Language = Field(Language.NB, examples=["nb"])


@router.post(
    "",
    status_code=201,
    response_model=Announcement,
    responses=problems(403, 404, 409),
    summary="Post an announcement to the network",
)
async def post_announcement(
    network_id: str,
    network: CoordinatedNetwork,
    body: NewAnnouncement,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:

    async def operation() -> tuple[int, Announcement]:
        change = rules.post(
            new_id("ann"),
            network,
            body.title,
            body.body,
            body.language,
            principal.subject,
            runtime.clock.now(),
        )
        return 201, await stores.announcements.create(change.state.id, change)

    return await runtime.idempotency.run(
        scope=f"announcements:{network_id}:{principal.subject}",
        key=idempotency_key,
        body=body,
        operation=operation,
    )


@router.get(
    "",
    response_model=Page[Announcement],
    responses=problems(400, 404),
    summary="The network's announcements, newest first",
)
async def list_announcements(
    network_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    cursor: Cursor = None,
    limit: int = page_limit(),
) -> Page[Announcement]:
    await load_network(stores, network_id)
    return await stores.announcements.of_network(network_id, cursor, limit)
