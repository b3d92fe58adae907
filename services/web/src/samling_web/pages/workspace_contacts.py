"""A municipality administrator's contact persons (``/workspace/contacts``): who the region
and the networks write to about the municipality. The page shows them as a form with one row
per person and replaces the whole list when sent (network ``PUT /municipalities/{id}/contacts``).

Names and e-mail addresses are personal data: the page is never stored by a browser or proxy
(``no-store``), and every call goes with the administrator's own token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from samling_web.contact_form import Contact, Row, kept, read_contacts, rows_of
from samling_web.deps import Web, WebDep
from samling_web.i18n import ENDONYMS, N_
from samling_web.models import Upstream
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import PRIVATE, administered, as_person, read

router = APIRouter(prefix="/workspace/contacts")
HOME = "/workspace/contacts"
NOTICE = "contacts_notice"

SAVED = N_("The contact persons are saved.")
NOT_SAVED = N_("The contact persons could not be saved. Check them and try again.")


class Municipality(Upstream):
    id: str
    name: str
    contacts: list[Contact] | None = None


async def _municipality(web: Web, user: SignedIn) -> Municipality:
    municipality = administered(user)
    return await read(
        web, user, Municipality, f"/municipalities/{municipality}", api=web.services.network
    )


def _form(
    request: Request,
    web: Web,
    municipality: Municipality,
    rows: list[Row],
    *,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return web.pages.render(
        request,
        "workspace/contacts.html",
        status=status,
        municipality=municipality,
        rows=rows,
        errors=errors or {},
        problem=problem,
        languages=ENDONYMS,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


@router.get("", response_class=HTMLResponse)
async def contacts(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    municipality = await _municipality(web, user)
    return _form(request, web, municipality, rows_of(municipality.contacts or []))


@router.post("", response_model=None)
async def save_contacts(request: Request, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    municipality = await _municipality(web, user)
    known = {c.contact_id for c in municipality.contacts or []}
    rows, errors = read_contacts(form, known)
    if errors:
        return _form(request, web, municipality, rows, errors=errors, status=422)
    answer = await as_person(
        web,
        user,
        "PUT",
        f"/municipalities/{municipality.id}/contacts",
        api=web.services.network,
        json={"contacts": [row.payload() for row in kept(rows)]},
    )
    if answer.status_code >= 400:
        return _form(request, web, municipality, rows, problem=NOT_SAVED, status=422)
    request.session[NOTICE] = {"text": SAVED, "ok": True}
    return RedirectResponse(HOME, status_code=303)
