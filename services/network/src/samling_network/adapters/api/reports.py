"""HTTP routes for experience reports: writing, publishing, revising, withdrawing, finding.

Visibility is part of every query (``readable_by``): a report the caller may not read is
not found (404), so its existence does not leak.
"""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from samling_contracts.network import ReportTags
from samling_contracts.vocabulary import (
    CompetenceLevel,
    Language,
    LearningArena,
    ReportTemplate,
    Visibility,
)
from samling_runtime.auth import CurrentPrincipal, Principal, Role
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.ids import new_id
from samling_runtime.inputs import RequestBody, SingleLine, page_limit
from samling_runtime.mongo import Document, hoisted, matches
from samling_runtime.pagination import Page, decode_cursor, encode_cursor
from samling_runtime.problems import Problem, not_found
from samling_runtime.reader_links import verify_reader_link
from samling_runtime.timeline import Way

from samling_network.adapters.api.common import (
    Cursor,
    RuntimeDep,
    StoresDep,
    any_role,
    forbidden,
    problems,
    reader_scope,
)
from samling_network.adapters.store.stores import (
    REPORT_TIMELINE,
    Stores,
    narrowed,
    readable_by,
    readable_ways,
    search_words,
    text_filter,
)
from samling_network.domain import reports as rules
from samling_network.domain.access import ReaderScope
from samling_network.domain.reports import Report, ReportBody, ReportStatus, ReportView
from samling_network.settings import NetworkSettings

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


class ReportRevision(BaseModel):
    revision: int = Field(examples=[2])
    recorded_at: datetime
    title: str
    body: ReportBody
    tags: ReportTags
    visibility: Visibility
    network_ids: list[str]


async def check_networks(stores: Stores, region_id: str, network_ids: list[str] | None) -> None:
    for network_id in network_ids or []:
        found = await stores.networks.get(network_id)
        if found is None or found.state.region_id != region_id:
            raise Problem(
                422,
                f"The network {network_id} does not exist in your region.",
                kind="unknown-network",
            )


async def readable(stores: Stores, principal: Principal, report_id: str) -> Report:
    """The report if the caller may read it; 404 otherwise (existence does not leak)."""
    return await readable_in(stores, await reader_scope(principal, stores), report_id)


async def readable_in(stores: Stores, scope: ReaderScope, report_id: str) -> Report:
    doc = await stores.reports.current.find_one(
        hoisted({"$and": [{"_id": report_id}, readable_by(scope)]})
    )
    if doc is None:
        raise not_found("Report")
    report: Report = stores.reports.from_current(doc)
    return report


def is_author(principal: Principal, report: Report) -> bool:
    return principal.is_admin_of(report.municipality_id)


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
        region_id = municipality.state.region_id
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
        created = await stores.reports.create(change.state.id, change)
        return 201, created.state

    return await runtime.idempotency.run(
        scope=f"reports:{principal.subject}", key=idempotency_key, body=body, operation=operation
    )


@router.get(
    "",
    response_model=Page[ReportView],
    responses=problems(400),
    summary="Find reports you may read",
)
async def find_reports(
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words in the title or body (any case).",
            examples=["lesing"],
        ),
    ] = None,
    network_id: str | None = None,
    learning_arena: LearningArena | None = None,
    level: CompetenceLevel | None = None,
    municipality_id: Annotated[str | None, Query(examples=["NO-1804"])] = None,
    language: Language | None = None,
    template: ReportTemplate | None = None,
    status: Annotated[
        ReportStatus | None,
        Query(description="Your own drafts and withdrawn reports; others see published ones."),
    ] = None,
    cursor: Cursor = None,
    limit: int = page_limit(20),
) -> Page[ReportView]:
    """Newest first. Only reports the caller may read are ever returned."""
    scope = await reader_scope(principal, stores)
    conditions: list[Document] = []
    if q and q.strip():
        conditions.append(text_filter(q))
    for field, value in (
        ("network_ids", network_id),
        ("tags.learning_arenas", learning_arena),
        ("tags.level", level),
        ("municipality_id", municipality_id),
        ("tags.language", language),
        ("body.template", template),
        ("status", status),
    ):
        if value is not None:
            conditions.append({field: str(value)})
    narrow = await narrowed(stores.reports, search_words(q or ""), network_id, municipality_id)
    if narrow:
        timeline, way = narrow
        ways = [Way(hoisted({"$and": [way.query, *conditions]}), way.key)]
        visible = readable_by(scope)
    else:
        timeline = stores.reports.timelines[REPORT_TIMELINE.name]
        ways = [
            Way(hoisted({"$and": [way.query, *conditions]}), way.key)
            for way in readable_ways(scope)
        ]
        visible = {}
    docs = await timeline.page(
        ways,
        limit=limit + 1,
        descending=True,
        after=decode_cursor(cursor) if cursor else None,
        always=[runtime.clock.now()],
        keep=lambda doc: matches(doc, visible),
    )
    items = [stores.reports.from_current(d) for d in docs[:limit]]
    last = docs[limit - 1] if len(docs) > limit else None
    next_cursor = encode_cursor(last["created_at"], last["_id"]) if last else None
    return Page[ReportView](items=items, next_cursor=next_cursor)


@router.get(
    "/{report_id}", response_model=ReportView, responses=problems(404), summary="Read a report"
)
async def get_report(
    report_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    runtime: RuntimeDep,
    reader_link: Annotated[
        str | None,
        Query(
            max_length=2000,
            description="The web app only: the signed reader link from a mail, which lets "
            "that mail's recipient read a members-only report of its region.",
        ),
    ] = None,
) -> Report:
    if reader_link is not None and principal.has(Role.WEB):
        settings = runtime.settings
        assert isinstance(settings, NetworkSettings)
        secret = settings.reader_link_secret.get_secret_value()
        link = verify_reader_link(reader_link, secret, report_id)
        if link is None:
            raise not_found("Report")
        # The link was signed for this report and a reader of its region: read it as the
        # region's members do, never as its author (drafts stay hidden).
        scope = ReaderScope(region_id=link.region_id, all_networks_of_region=True)
        return await readable_in(stores, scope, report_id)
    return await readable(stores, principal, report_id)


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
    by_author = is_author(principal, report)
    if not (by_author or principal.is_coordinator_of(report.region_id)):
        raise forbidden("Only the author municipality can edit this report.")
    if by_author:
        await check_networks(stores, report.region_id, body.network_ids)
    edit = rules.Edit.model_validate(body.model_dump(exclude_unset=True))
    now = runtime.clock.now()
    updated = await stores.reports.update(
        report_id, lambda r: rules.edit(r, edit, by_author=by_author, now=now)
    )
    return updated.state


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
    if not is_author(principal, report):
        raise forbidden("Only the author municipality can publish this report.")
    now = runtime.clock.now()
    return (await stores.reports.update(report_id, lambda r: rules.publish(r, now))).state


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
    if not (is_author(principal, report) or principal.is_coordinator_of(report.region_id)):
        raise forbidden("Only the author municipality or the region's coordinators.")
    now = runtime.clock.now()
    return (await stores.reports.update(report_id, lambda r: rules.withdraw(r, now))).state


@router.get(
    "/{report_id}/revisions",
    response_model=list[ReportRevision],
    responses=problems(404),
    summary="Every published revision of a report, oldest first",
)
async def report_revisions(
    report_id: str, principal: CurrentPrincipal, stores: StoresDep
) -> list[ReportRevision]:
    await readable(stores, principal, report_id)
    history = await stores.reports.history(report_id)
    recorded: dict[int, datetime] = {}
    for version in history:
        recorded.setdefault(version.state.revision, version.recorded_at)
    return [
        ReportRevision(
            revision=state.revision,
            recorded_at=recorded[state.revision],
            title=state.title,
            body=state.body,
            tags=state.tags,
            visibility=state.visibility,
            network_ids=state.network_ids,
        )
        for state in rules.published_revisions([v.state for v in history])
    ]
