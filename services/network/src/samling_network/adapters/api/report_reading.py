"""HTTP routes for finding and reading experience reports and their published revisions.

Visibility is part of every query (``Reports.readable``, ``Reports.search``): a report the
caller may not read is not found (404), so its existence does not leak.
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
from samling_runtime.inputs import page_limit
from samling_runtime.pagination import Page
from samling_runtime.problems import not_found
from samling_runtime.reader_links import verify_reader_link

from samling_network.adapters.api.common import (
    Cursor,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    problems,
    reader_scope,
)
from samling_network.adapters.store.reports import ReportSearch
from samling_network.adapters.store.stores import Stores
from samling_network.domain import access
from samling_network.domain import reports as rules
from samling_network.domain.access import ReaderScope
from samling_network.domain.reports import Report, ReportBody, ReportStatus, ReportView

router = APIRouter(prefix="/reports", tags=["reports"])


class ReportRevision(BaseModel):
    revision: int = Field(examples=[2])
    recorded_at: datetime
    title: str
    body: ReportBody
    tags: ReportTags
    visibility: Visibility
    network_ids: list[str]


async def readable(stores: Stores, principal: Principal, report_id: str) -> Report:
    """The report if the caller may read it; 404 otherwise (existence does not leak)."""
    return await readable_in(stores, await reader_scope(principal, stores), report_id)


async def readable_in(stores: Stores, scope: ReaderScope, report_id: str) -> Report:
    report = await stores.reports.readable(scope, report_id)
    if report is None:
        raise not_found("Report")
    return report


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
    search = ReportSearch(
        words=q,
        network_id=network_id,
        learning_arena=learning_arena,
        level=level,
        municipality_id=municipality_id,
        language=language,
        template=template,
        status=status,
    )
    return await stores.reports.search(
        scope, search, cursor=cursor, limit=limit, now=runtime.clock.now()
    )


@router.get(
    "/{report_id}", response_model=ReportView, responses=problems(404), summary="Read a report"
)
async def get_report(
    report_id: str,
    principal: CurrentPrincipal,
    stores: StoresDep,
    settings: SettingsDep,
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
        secret = settings.reader_link_secret.get_secret_value()
        link = verify_reader_link(reader_link, secret, report_id)
        if link is None:
            raise not_found("Report")
        # The link was signed for this report and a reader of its region: read it as the
        # region's members do, never as its author (drafts stay hidden).
        return await readable_in(stores, access.region_scope(link.region_id), report_id)
    return await readable(stores, principal, report_id)


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
    return [
        ReportRevision(
            revision=state.revision,
            recorded_at=recorded_at,
            title=state.title,
            body=state.body,
            tags=state.tags,
            visibility=state.visibility,
            network_ids=state.network_ids,
        )
        for state, recorded_at in rules.revision_log([(v.state, v.recorded_at) for v in history])
    ]
