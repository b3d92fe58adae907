"""A municipality administrator's webhook endpoints (``/workspace/webhooks``, issue #13):
the list with each one's state, a new endpoint (its signing secret shown once), an endpoint's
deliveries with a replay of each, rotating its secret after a confirmation page (the new one
shown once), and enabling it again after it was disabled, with why it was.

Every call goes to the notifications API with the administrator's own token, so that service
decides whose endpoints they are; the pages refuse only those who administer no municipality.
Pages that show a secret are ``no-store`` and answer the POST itself: the secret is never put
in the session cookie or a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.upstream_api import Refused
from samling_web.webhook_terms import (
    DELIVERY_STATUSES,
    FACT_TYPES,
    PUBLIC_TYPES,
    TOPIC_LABELS,
    Deliveries,
    Endpoint,
    WithSecret,
)
from samling_web.workspace import PRIVATE, administered, answered, as_person

router = APIRouter(prefix="/workspace/webhooks")
NOTICE = "webhooks_notice"
HOME = "/workspace/webhooks"
URL_MAX = 2000

URL_MISSING = N_("Enter the address that should receive the webhooks")
URL_NOT_WEB = N_("Enter a full address starting with https://")
URL_TOO_LONG = N_("Use 2000 characters or fewer")
URL_REFUSED = N_(
    "This address cannot receive webhooks. Use an https address on the internet, without a "
    "user name or password in it."
)
TYPES_MISSING = N_("Choose at least one kind of fact")
REPLAYED = N_("The delivery is sent again, with the same webhook-id.")
REPLAY_REFUSED = N_("That delivery is still being tried, or the endpoint is disabled.")
ENABLED = N_("The endpoint is enabled again and gets the next fact it wants.")
FORM_USED = N_("That form was already sent once. Check the page before you send it again.")
ROTATE_CONFLICT = N_(
    "Someone else changed this endpoint at the same moment, so the secret was not rotated. "
    "Look at the endpoint and rotate again if you still need to."
)


async def _call(web: Web, user: SignedIn, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """The notifications API as the person, who must administer a municipality."""
    administered(user)
    return await as_person(web, user, method, path, api=web.notifications.api, **kwargs)


@router.get("", response_class=HTMLResponse)
async def endpoints(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    found = [
        Endpoint.model_validate(e) for e in answered(await _call(web, user, "GET", "/webhooks"))
    ]
    return web.pages.render(
        request,
        "workspace/webhooks/list.html",
        endpoints=found,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _form(
    request: Request,
    web: Web,
    *,
    url: str = "",
    chosen: frozenset[str] = frozenset(),
    errors: Mapping[str, str] | None = None,
    problem: str | None = None,
    form_key: str,
    status: int = 200,
) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/webhooks/new.html",
        status=status,
        url=url,
        chosen=chosen,
        errors=errors or {},
        problem=problem,
        fact_types=FACT_TYPES,
        topic_labels=TOPIC_LABELS,
        form_key=form_key,
        headers=PRIVATE,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_endpoint(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    municipality = administered(user)
    return _form(request, web, form_key=web.keys.issue(f"webhook:{municipality}"))


def read_endpoint(
    form: Mapping[str, Any], types: list[str]
) -> tuple[str, frozenset[str], dict[str, str]]:
    """The address and fact types as sent, and a message per field that is not right yet."""
    url = str(form.get("url") or "").strip()
    chosen = frozenset(t for t in types if t in PUBLIC_TYPES)
    errors: dict[str, str] = {}
    if not url:
        errors["url"] = URL_MISSING
    elif len(url) > URL_MAX:
        errors["url"] = URL_TOO_LONG
    elif not url.lower().startswith(("https://", "http://")) or any(c.isspace() for c in url):
        errors["url"] = URL_NOT_WEB
    if not chosen:
        errors["event_types"] = TYPES_MISSING
    return url, chosen, errors


@router.post("/new", response_model=None)
async def create_endpoint(request: Request, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    municipality = administered(user)
    url, chosen, errors = read_endpoint(form, [str(t) for t in form.getlist("event_types")])
    purpose = f"webhook:{municipality}"
    signed = str(form.get("form_key") or "")
    key = web.keys.key(signed, purpose)
    if key is None:  # an old or forged form: show it again with a fresh key
        signed = web.keys.issue(purpose)
    if errors or key is None:
        return _form(
            request, web, url=url, chosen=chosen, errors=errors, form_key=signed, status=422
        )
    response = await _call(
        web, user, "POST", "/webhooks",
        json={"url": url, "event_types": sorted(chosen)},
        headers={"Idempotency-Key": key},
    )  # fmt: skip
    try:
        created = WithSecret.model_validate(answered(response))
    except Refused as refused:
        if refused.status != 422:
            raise
        if refused.kind == "idempotency-key-reused":  # sent before with other values
            fresh = web.keys.issue(purpose)
            return _form(
                request, web, url=url, chosen=chosen, problem=FORM_USED, form_key=fresh,
                status=422,
            )  # fmt: skip
        field = "event_types" if refused.kind == "invalid" else "url"
        message = TYPES_MISSING if field == "event_types" else URL_REFUSED
        return _form(
            request, web, url=url, chosen=chosen, errors={field: message}, form_key=signed,
            status=422,
        )  # fmt: skip
    return _shown_once(request, web, created, rotated=False)


def _shown_once(request: Request, web: Web, endpoint: WithSecret, *, rotated: bool) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/webhooks/secret.html",
        endpoint=endpoint,
        rotated=rotated,
        headers={**PRIVATE, "Referrer-Policy": "no-referrer"},
    )


async def _endpoint(web: Web, user: SignedIn, endpoint_id: str) -> Endpoint:
    return Endpoint.model_validate(
        answered(await _call(web, user, "GET", f"/webhooks/{endpoint_id}"))
    )


@router.get("/{endpoint_id}", response_class=HTMLResponse)
async def endpoint_page(
    request: Request,
    endpoint_id: IdPath,
    web: WebDep,
    user: SignedInDep,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> HTMLResponse:
    endpoint = await _endpoint(web, user, endpoint_id)
    params: dict[str, Any] = {"limit": 50, **({"cursor": cursor} if cursor else {})}
    answer = await _call(web, user, "GET", f"/webhooks/{endpoint_id}/deliveries", params=params)
    if answer.status_code == 422:  # a cursor the API does not know: the first page
        raise HTTPException(404)
    deliveries = Deliveries.model_validate(answered(answer))
    return web.pages.render(
        request,
        "workspace/webhooks/endpoint.html",
        endpoint=endpoint,
        deliveries=deliveries.items,
        next_cursor=deliveries.next_cursor,
        statuses=DELIVERY_STATUSES,
        topic_labels=TOPIC_LABELS,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _back(request: Request, endpoint_id: str, text: str, ok: bool) -> RedirectResponse:
    request.session[NOTICE] = {"text": text, "ok": ok}
    return RedirectResponse(f"{HOME}/{endpoint_id}", status_code=303)


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay", response_model=None)
async def replay(
    request: Request, endpoint_id: IdPath, delivery_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    check_csrf(request.session, await request.form())
    path = f"/webhooks/{endpoint_id}/deliveries/{delivery_id}/replay"
    answer = await _call(web, user, "POST", path)
    if answer.status_code == 409:
        return _back(request, endpoint_id, REPLAY_REFUSED, ok=False)
    answered(answer)
    return _back(request, endpoint_id, REPLAYED, ok=True)


@router.post("/{endpoint_id}/enable", response_model=None)
async def enable(request: Request, endpoint_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    check_csrf(request.session, await request.form())
    answered(await _call(web, user, "POST", f"/webhooks/{endpoint_id}/enable"))
    return _back(request, endpoint_id, ENABLED, ok=True)


@router.get("/{endpoint_id}/rotate", response_class=HTMLResponse)
async def confirm_rotation(
    request: Request, endpoint_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    endpoint = await _endpoint(web, user, endpoint_id)
    return web.pages.render(
        request,
        "workspace/webhooks/rotate.html",
        endpoint=endpoint,
        form_key=web.keys.issue(f"rotate:{endpoint_id}"),
        headers=PRIVATE,
    )


@router.post("/{endpoint_id}/rotate", response_model=None)
async def rotate(request: Request, endpoint_id: IdPath, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    # A leaked secret stops signing at once; otherwise the service's overlap applies.
    body = {"keep_previous_seconds": 0} if form.get("leaked") == "yes" else {}
    # The form's key: a double click or a reload rotates once and shows that secret again.
    key = web.keys.key(str(form.get("form_key") or ""), f"rotate:{endpoint_id}")
    answer = await _call(
        web, user, "POST", f"/webhooks/{endpoint_id}/secret/rotate", json=body,
        headers={"Idempotency-Key": key} if key else None,
    )  # fmt: skip
    if answer.status_code == 409:
        return _back(request, endpoint_id, ROTATE_CONFLICT, ok=False)
    if answer.status_code == 422:  # the form's key, sent before with the other choice
        return _back(request, endpoint_id, FORM_USED, ok=False)
    rotated = WithSecret.model_validate(answered(answer))
    return _shown_once(request, web, rotated, rotated=True)
