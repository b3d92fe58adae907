"""A report, from the link in a "new report" mail (``/reports/{report_id}``).

A public report is read with the web app's system credential, like any public page. A report
only some networks or a region may read opens from a mail's signed reader link (query ``t``,
made by the notifications service for that recipient, with an expiry): the app passes it on to
the network service, which verifies it and decides what it may read. Without a valid link such
a report does not exist here (404, as in the API). A signed-in person reads with their own
token, so the library's members-only hits open, and an administrator sees their own drafts.

The report is laid out by its template (its sections in the template's order, with their
headings), with its tags and, once revised, the history of its published revisions.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from samling_runtime.reader_links import verify_reader_link
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, WebDep
from samling_web.i18n import ENDONYMS, N_
from samling_web.report_terms import (
    ARENAS,
    LEVELS,
    STATUSES,
    TEMPLATE_FIELDS,
    TEMPLATES,
    ReportView,
    Revision,
)
from samling_web.security import PRIVATE_LINK
from samling_web.signin_state import SignInRequired, current_user
from samling_web.upstream_api import checked

router = APIRouter()

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
    user = current_user(request) if t is None else None
    headers = user.bearer() if user is not None else services.tokens.reader()
    response = await services.network.request(
        "GET",
        f"/reports/{report_id}",
        headers=headers,
        params={"reader_link": t} if t is not None else None,
    )
    if response.status_code == 401 and user is not None:
        raise SignInRequired
    if response.status_code == 404:
        raise HTTPException(404)
    checked(response)
    report = ReportView.model_validate(response.json())
    history = await services.network.request(
        "GET", f"/reports/{report_id}/revisions", headers=headers
    )
    revisions = (
        [Revision.model_validate(r) for r in history.json()] if history.status_code == 200 else []
    )
    municipalities = {m.id: m.name for m in await services.municipalities(report.region_id)}
    networks = {n.id: n.name for n in await services.networks(report.region_id)}
    sections = [
        (SECTIONS[key], report.body.get(key, ""))
        for key in TEMPLATE_FIELDS.get(report.template, ())
        if report.body.get(key, "").strip()
    ]
    private = t is not None or user is not None
    return web.pages.render(
        request,
        "report.html",
        headers=PRIVATE_LINK if private else None,
        report=report,
        author=municipalities.get(report.municipality_id, report.municipality_id),
        sections=sections,
        template_name=TEMPLATES.get(report.template, ""),
        arenas=[ARENAS[a] for a in report.tags.learning_arenas if a in ARENAS],
        level=LEVELS.get(report.tags.level or ""),
        network_names=[networks[n] for n in report.network_ids if n in networks],
        status_name=STATUSES.get(report.status, ""),
        language_name=ENDONYMS.get(report.tags.language, report.tags.language),
        revisions=revisions if len(revisions) > 1 else [],
        editable=user is not None and user.administers() == report.municipality_id,
    )
