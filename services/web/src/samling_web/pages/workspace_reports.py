"""A municipality administrator's experience reports (``/workspace/reports``, issue #13):
our municipality's drafts, published and withdrawn reports; write one with a template, tag
it, choose who may read it, save it as a draft, publish, revise, withdraw (after a
confirmation page). Also the drafts from transfer conversations (issue #17) that a
participant and their manager both agreed to share: one opens the SMTTE form filled in.

Every call goes with the administrator's own token, so the network and events services
decide what they may read and change; the page refuses only those whose token says they
administer no municipality, and shows nothing of another municipality's (404).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import ENDONYMS, N_
from samling_web.pages.reports import SECTIONS
from samling_web.rendering import reader_language
from samling_web.report_form import Draft, read_report, refusal_errors
from samling_web.report_terms import (
    ARENAS,
    EXTERNAL_ARENAS,
    INTERNAL_ARENAS,
    LEVELS,
    STATUSES,
    TEMPLATE_FIELDS,
    TEMPLATES,
    VISIBILITIES,
    ReportList,
    ReportView,
    TransferDraft,
)
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep, SignInRequired
from samling_web.upstream_api import Refused
from samling_web.workspace import PRIVATE, administered, answered

router = APIRouter(prefix="/workspace/reports")
NOTICE = "reports_notice"
HOME = "/workspace/reports"

SAVED = N_("The draft “%(title)s” is saved. Only your municipality can read it.")
PUBLISHED = N_("“%(title)s” is published.")
REVISED = N_("“%(title)s” is revised; readers see the new revision.")
WITHDRAWN = N_("“%(title)s” is withdrawn. No one finds it in the library any more.")
SECTION_LABELS = {**SECTIONS, "text": N_("Your report")}
# What each SMTTE heading asks (seed 004's model), shown under its label.
SECTION_HINTS = {
    "context": N_("The situation the work starts from."),
    "goals": N_("What should be achieved."),
    "signs": N_("How you see and hear that you are getting there."),
    "actions": N_("What you do to get there."),
    "evaluation": N_("What came of it, and what you do next."),
}
CONVERSATIONS = {
    "before": N_("Before the event"),
    "during": N_("During the event"),
    "after": N_("After the event"),
}


async def _own_report(web: Web, user: SignedIn, report_id: str) -> ReportView:
    """One of our municipality's reports; another's is not found here (404)."""
    municipality = administered(user)
    found = await web.services.network.request(
        "GET", f"/reports/{report_id}", headers=user.bearer()
    )
    report = ReportView.model_validate(answered(found))
    if report.municipality_id != municipality:
        raise HTTPException(404)
    return report


async def _transfer_drafts(web: Web, user: SignedIn, municipality: str) -> list[TransferDraft]:
    found = await web.services.events.request(
        "GET", f"/municipalities/{municipality}/transfer/report-drafts", headers=user.bearer()
    )
    return [TransferDraft.model_validate(d) for d in answered(found)]


@router.get("", response_class=HTMLResponse)
async def our_reports(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    municipality = administered(user)
    found = await web.services.network.request(
        "GET",
        "/reports",
        params={"municipality_id": municipality, "limit": 50},
        headers=user.bearer(),
    )
    reports = ReportList.model_validate(answered(found))
    drafts = await _transfer_drafts(web, user, municipality)
    return web.pages.render(
        request,
        "reports/workspace.html",
        reports=reports.items,
        more=reports.next_cursor is not None,
        transfer_drafts=drafts,
        conversations=CONVERSATIONS,
        templates=TEMPLATES,
        statuses=STATUSES,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _prefilled(draft: TransferDraft, language: str) -> Draft:
    """A transfer conversation's shared notes under the SMTTE headings they were written to."""
    notes = draft.draft
    return Draft(
        template="smtte",
        sections={name: "\n\n".join(getattr(notes, name)) for name in TEMPLATE_FIELDS["smtte"]},
        language=language,
    )


async def _form(
    request: Request,
    web: Web,
    draft: Draft,
    action: str,
    *,
    report: ReportView | None = None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    form_key: str = "",
    status: int = 200,
) -> HTMLResponse:
    region = web.settings.default_region_id
    networks = {n.id: n.name for n in await web.services.networks(region)}
    return web.pages.render(
        request,
        "reports/form.html",
        status=status,
        draft=draft,
        action=action,
        report=report,
        errors=errors or {},
        problem=problem,
        form_key=form_key,
        networks=networks,
        fields=TEMPLATE_FIELDS[draft.template],
        template_name=TEMPLATES[draft.template],
        section_labels=SECTION_LABELS,
        section_hints=SECTION_HINTS,
        arenas=ARENAS,
        internal_arenas=INTERNAL_ARENAS,
        external_arenas=EXTERNAL_ARENAS,
        levels=LEVELS,
        languages=ENDONYMS,
        visibilities=VISIBILITIES,
        headers=PRIVATE,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_report(
    request: Request,
    web: WebDep,
    user: SignedInDep,
    template: Annotated[str, Query(max_length=20)] = "smtte",
    plan: Annotated[str, Query(max_length=100)] = "",
    conversation: Annotated[str, Query(max_length=20)] = "",
) -> HTMLResponse:
    municipality = administered(user)
    if template not in TEMPLATES:
        raise HTTPException(404)
    language = reader_language(request)
    draft = Draft(template=template, language=language)
    if plan:
        shared = await _transfer_drafts(web, user, municipality)
        found = [d for d in shared if (d.plan_id, d.conversation) == (plan, conversation)]
        if not found:  # no longer shared (either person withdrew their consent): gone
            raise HTTPException(404)
        draft = _prefilled(found[0], language)
    key = web.keys.issue(f"report:{municipality}")
    return await _form(request, web, draft, f"{HOME}/new?template={draft.template}", form_key=key)


async def _after_saving(
    request: Request, web: Web, user: SignedIn, report: ReportView, publish: bool, revised: bool
) -> Response:
    if publish and report.status == "draft":
        published = await web.services.network.request(
            "POST", f"/reports/{report.id}/publish", headers=user.bearer()
        )
        answered(published)
        text = PUBLISHED
    else:
        text = REVISED if revised else SAVED
    request.session[NOTICE] = {"text": text, "title": report.title}
    return RedirectResponse(HOME, status_code=303)


@router.post("/new", response_model=None)
async def create_report(
    request: Request,
    web: WebDep,
    user: SignedInDep,
    template: Annotated[str, Query(max_length=20)] = "smtte",
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    municipality = administered(user)
    if template not in TEMPLATES:
        raise HTTPException(404)
    networks = [n.id for n in await web.services.networks(web.settings.default_region_id)]
    draft, errors = read_report(template, form, networks)
    signed = str(form.get("form_key") or "")
    key = web.keys.key(signed, f"report:{municipality}")
    action = f"{HOME}/new?template={template}"
    if key is None:  # an old or forged form: show it again with a fresh key
        signed = web.keys.issue(f"report:{municipality}")
    if errors or key is None:
        return await _form(request, web, draft, action, errors=errors, form_key=signed, status=422)
    try:
        created = await web.services.network.send(
            ReportView,
            "POST",
            "/reports",
            json=draft.payload(),
            headers={**user.bearer(), "Idempotency-Key": key},
        )
    except Refused as refused:
        if refused.status == 401:
            raise SignInRequired from refused
        errors, problem = refusal_errors(refused, TEMPLATE_FIELDS[template])
        return await _form(
            request, web, draft, action, errors=errors, problem=problem, form_key=signed, status=422
        )
    publish = form.get("save") == "publish"
    return await _after_saving(request, web, user, created, publish, revised=False)


@router.get("/{report_id}", response_class=HTMLResponse, response_model=None)
async def edit_form(
    request: Request, report_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    report = await _own_report(web, user, report_id)
    if report.status == "withdrawn":  # nothing more to do with it but read it
        return RedirectResponse(f"/reports/{report_id}", status_code=303)
    return await _form(request, web, Draft.of(report), f"{HOME}/{report_id}", report=report)


@router.post("/{report_id}", response_model=None)
async def save_report(
    request: Request, report_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    report = await _own_report(web, user, report_id)
    networks = [n.id for n in await web.services.networks(web.settings.default_region_id)]
    draft, errors = read_report(report.template, form, networks)
    action = f"{HOME}/{report_id}"
    if errors:
        return await _form(request, web, draft, action, report=report, errors=errors, status=422)
    try:
        saved = await web.services.network.send(
            ReportView,
            "PATCH",
            f"/reports/{report_id}",
            json=draft.payload(),
            headers=user.bearer(),
        )
    except Refused as refused:
        if refused.status == 401:
            raise SignInRequired from refused
        errors, problem = refusal_errors(refused, TEMPLATE_FIELDS[report.template])
        return await _form(
            request, web, draft, action, report=report, errors=errors, problem=problem, status=422
        )
    publish = form.get("save") == "publish"
    return await _after_saving(
        request, web, user, saved, publish, revised=report.status == "published"
    )


@router.get("/{report_id}/withdraw", response_class=HTMLResponse, response_model=None)
async def confirm_withdrawal(
    request: Request, report_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    report = await _own_report(web, user, report_id)
    if report.status != "published":  # only a published report can be withdrawn
        return RedirectResponse(HOME, status_code=303)
    return web.pages.render(request, "reports/withdraw.html", report=report, headers=PRIVATE)


@router.post("/{report_id}/withdraw", response_model=None)
async def withdraw(request: Request, report_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    report = await _own_report(web, user, report_id)
    if report.status != "published":  # withdrawn already (a second click), or a draft
        return RedirectResponse(HOME, status_code=303)
    answer = await web.services.network.request(
        "POST", f"/reports/{report_id}/withdraw", headers=user.bearer()
    )
    answered(answer)
    request.session[NOTICE] = {"text": WITHDRAWN, "title": report.title}
    return RedirectResponse(HOME, status_code=303)
