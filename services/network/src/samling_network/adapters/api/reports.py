"""HTTP routes for writing experience reports: drafting, editing, publishing, withdrawing.

Each acts on a report the caller may read (``report_reading.readable``); who may change it
is decided here, what changes in :mod:`samling_network.domain.reports`.
"""

from fastapi import APIRouter
from pydantic import Field
from samling_contracts.network import ReportTags
from samling_contracts.vocabulary import Visibility
from samling_kernel.ids import new_id
from samling_runtime.auth import CurrentPrincipal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.inputs import RequestBody, SingleLine
from samling_runtime.problems import Problem

from samling_network.adapters.api.common import RuntimeDep, StoresDep, any_role, forbidden, problems
from samling_network.adapters.api.report_reading import readable
from samling_network.adapters.store.stores import Stores
from samling_network.domain import permissions
from samling_network.domain import reports as rules
from samling_network.domain.reports import Report, ReportBody, ReportView

router = APIRouter(prefix="/reports", tags=["reports"])

EXAMPLE_BODY = {
    "template": "smtte",
    "context": "Tre skoler i Fauske ønsket å styrke lesingen på mellomtrinnet.",
    "goals": "Flere elever leser på fritida.",
    "signs": "Elevene låner flere bøker; lærerne hører mer samtale om bøker.",
    "actions": "Lesevenner på tvers av trinn, to økter i uka.",
    "evaluation": "Etter ett år leste 70 % av elevene mer enn før.",
}


class NewReport(RequestBody):
    title: SingleLine = Field(
        min_length=2, max_length=300, examples=["Lesevenner på tvers av trinn"]
    )
    body: ReportBody = Field(examples=[EXAMPLE_BODY])
    tags: ReportTags
    network_ids: list[str] = Field(default_factory=list, max_length=20, examples=[[]])
    visibility: Visibility = Field(Visibility.PRIVATE, examples=["region"])


class ReportChange(RequestBody):
    """Fields left out stay as they are."""

    title: SingleLine | None = Field(None, min_length=2, max_length=300)
    body: ReportBody | None = None
    tags: ReportTags | None = None
    network_ids: list[str] | None = Field(None, max_length=20)
    visibility: Visibility | None = Field(None, examples=["region"])


async def check_networks(stores: Stores, region_id: str, network_ids: list[str] | None) -> None:
    for network_id in network_ids or []:
        found = await stores.networks.get(network_id)
        if found is None or found.region_id != region_id:
            raise Problem(
                422,
                f"The network {network_id} does not exist in your region.",
                kind="unknown-network",
            )


@router.post(
    "",
    status_code=201,
    response_model=ReportView,
    responses=problems(403),
    summary="Write a report (a draft until published)",
    dependencies=[any_role(Role.MUNICIPALITY_ADMIN)],
)
async def create_report(
    body: NewReport,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> object:
    """A municipality administrator writes for their own municipality."""
    if not principal.has(Role.MUNICIPALITY_ADMIN) or not principal.municipality_id:
        raise forbidden("Only a municipality administrator writes reports.")
    municipality_id = principal.municipality_id

    async def operation() -> tuple[int, ReportView]:
        municipality = await stores.municipalities.get(municipality_id)
        if municipality is None:
            raise Problem(
                422,
                f"Your municipality {municipality_id} is not registered yet.",
                kind="municipality-not-registered",
            )
        region_id = municipality.region_id
        await check_networks(stores, region_id, body.network_ids)
        change = rules.draft(
            new_id("rep"),
            municipality_id,
            region_id,
            principal.subject,
            body.title,
            body.body,
            body.tags,
            body.network_ids,
            body.visibility,
            runtime.clock.now(),
        )
        return 201, await stores.reports.create(change.state.id, change)

    return await runtime.idempotency.run(
        scope=f"reports:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.patch(
    "/{report_id}",
    response_model=ReportView,
    responses=problems(403, 404, 409),
    summary="Edit a report (a published one gets a new revision)",
)
async def edit_report(
    report_id: str,
    body: ReportChange,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
) -> Report:
    """The author municipality edits anything. A coordinator of the region may only narrow
    who can read it; widening is for the author municipality alone."""
    report = await readable(stores, principal, report_id)
    if not permissions.moderates_report(principal, report):
        raise forbidden("Only the author municipality can edit this report.")
    by_author = permissions.writes_report(principal, report)
    if by_author:
        await check_networks(stores, report.region_id, body.network_ids)
    edit = rules.Edit.model_validate(body.model_dump(exclude_unset=True))
    now = runtime.clock.now()
    return await stores.reports.update(
        report_id, lambda r: rules.edit(r, edit, by_author=by_author, now=now)
    )


@router.post(
    "/{report_id}/publish",
    response_model=ReportView,
    responses=problems(403, 404, 409),
    summary="Publish a draft (publishing twice is harmless)",
)
async def publish_report(
    report_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> Report:
    report = await readable(stores, principal, report_id)
    if not permissions.writes_report(principal, report):
        raise forbidden("Only the author municipality can publish this report.")
    now = runtime.clock.now()
    return await stores.reports.update(report_id, lambda r: rules.publish(r, now))


@router.post(
    "/{report_id}/withdraw",
    response_model=ReportView,
    responses=problems(403, 404, 409),
    summary="Withdraw a published report: it disappears for every reader at once",
)
async def withdraw_report(
    report_id: str, principal: CurrentPrincipal, stores: StoresDep, runtime: RuntimeDep
) -> Report:
    """The author municipality, or a coordinator of the region (moderation)."""
    report = await readable(stores, principal, report_id)
    if not permissions.moderates_report(principal, report):
        raise forbidden("Only the author municipality or the region's coordinators.")
    now = runtime.clock.now()
    return await stores.reports.update(report_id, lambda r: rules.withdraw(r, now))
