"""A report, from the link in a "new report" mail (``/reports/{report_id}``).

A public report is read with the web app's system credential, like any public page. A report
only some networks or a region may read opens from a mail's signed reader link (query ``t``,
made by the notifications service for that recipient, with an expiry): the app passes it on to
the network service, which verifies it and decides what it may read. Without a valid link such
a report does not exist here (404, as in the API).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from samling_runtime.reader_links import verify_reader_link
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, WebDep
from samling_web.i18n import N_
from samling_web.models import Report

router = APIRouter()
PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

# The sections of each report template, in the order the author wrote them.
SECTIONS = {
    "decision": N_("Decision"),
    "organisation": N_("Organisation"),
    "goal_purpose_effect": N_("Goal, purpose and effect"),
    "anchoring": N_("Anchoring"),
    "description": N_("Description"),
    "spreading": N_("Spreading"),
    "follow_up": N_("Follow-up"),
    "experience": N_("Experience"),
    "context": N_("Context"),
    "goals": N_("Goals"),
    "signs": N_("Signs"),
    "actions": N_("Actions"),
    "evaluation": N_("Evaluation"),
    "text": "",
}


@router.get("/reports/{report_id}", response_class=HTMLResponse, summary="A report")
async def report_page(
    request: Request,
    report_id: IdPath,
    web: WebDep,
    t: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    services = web.services
    # Checked here too, so a forged link is a 404 page without a round trip; the network
    # service checks it again and decides what the link may read.
    secret = web.settings.reader_link_secret.get_secret_value()
    if t is not None and verify_reader_link(t, secret, report_id) is None:
        raise HTTPException(404)
    report = await services.network.fetch(
        Report,
        f"/reports/{report_id}",
        headers=services.tokens.reader(),
        params={"reader_link": t} if t is not None else None,
    )
    if report is None:
        raise HTTPException(404)
    municipalities = {m.id: m.name for m in await services.municipalities(report.region_id)}
    sections = [
        (SECTIONS[key], value)
        for key, value in report.body.items()
        if key in SECTIONS and value.strip()
    ]
    return web.pages.render(
        request,
        "report.html",
        headers=PRIVATE if t is not None else None,
        report=report,
        author=municipalities.get(report.municipality_id, report.municipality_id),
        sections=sections,
    )
