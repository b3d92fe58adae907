"""The coordinator's networks (``/workspace/networks``): the region's learning networks, and
each network's page in the workspace with its members and their join history, its partners
and coordinators, and a form to post an announcement, which the public network page
(``/networks/{id}``) then shows and the members are mailed.

Every call goes to the network API with the coordinator's own token; a network of another
region is not found here (404).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.announcement_form import NewAnnouncement, read_announcement
from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import ENDONYMS, N_
from samling_web.memberships import Membership, every_membership, region_networks
from samling_web.models import AnnouncementPage, Upstream
from samling_web.rendering import reader_language
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import PRIVATE, as_person, coordinated, read

router = APIRouter(prefix="/workspace/networks")
NOTICE = "networks_notice"
NEWEST = 5

POSTED = N_("The announcement “%(title)s” is posted. The members are told.")
NOT_POSTED = N_("The announcement could not be posted: the network is archived.")
FORM_EXPIRED = N_("The form was too old. Check the announcement and post it again.")
PARTNER_KINDS = {
    "university": N_("University"),
    "county_governor": N_("County governor"),
    "research_group": N_("Research group"),
    "other": N_("Other"),
}


class Partner(Upstream):
    organisation: str
    kind: str
    invited_at: datetime


class NetworkDetail(Upstream):
    id: str
    name: str
    region_id: str
    description: str = ""
    coordinator_ids: list[str] = []
    partners: list[Partner] = []
    archived: bool = False


@dataclass(frozen=True)
class Member:
    """A municipality's place in the network: its memberships, newest first."""

    name: str
    memberships: list[Membership]

    @property
    def active(self) -> Membership | None:
        return next((m for m in self.memberships if m.active), None)


@router.get("", response_class=HTMLResponse)
async def networks(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    region = coordinated(user)
    return web.pages.render(
        request,
        "workspace/networks.html",
        networks=await region_networks(web, user, region),
        headers=PRIVATE,
    )


async def _network(web: Web, user: SignedIn, network_id: str) -> NetworkDetail:
    region = coordinated(user)
    network = await read(
        web, user, NetworkDetail, f"/networks/{network_id}", api=web.services.network
    )
    if network.region_id != region:
        raise HTTPException(404)
    return network


async def _members(web: Web, user: SignedIn, network: NetworkDetail) -> list[Member]:
    history, municipalities = await asyncio.gather(
        every_membership(web, user, f"/networks/{network.id}/memberships"),
        web.services.municipalities(network.region_id),
    )
    names = {m.id: m.name for m in municipalities}
    by_municipality: dict[str, list[Membership]] = {}
    for membership in history:
        by_municipality.setdefault(membership.municipality_id, []).append(membership)
    members = [Member(names.get(m, m), found) for m, found in by_municipality.items()]
    # Those in the network first, then those who left; by name within each.
    return sorted(members, key=lambda m: (m.active is None, m.name))


async def _page(
    request: Request,
    web: Web,
    user: SignedIn,
    network: NetworkDetail,
    typed: NewAnnouncement,
    *,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    members, news = await asyncio.gather(
        _members(web, user, network),
        read(
            web,
            user,
            AnnouncementPage,
            f"/networks/{network.id}/announcements",
            api=web.services.network,
            params={"limit": NEWEST},
        ),
    )
    return web.pages.render(
        request,
        "workspace/network.html",
        status=status,
        network=network,
        members=members,
        announcements=news.items,
        partner_kinds=PARTNER_KINDS,
        typed=typed,
        form_key=web.keys.issue(f"announcement:{network.id}"),
        errors=errors or {},
        problem=problem,
        languages=ENDONYMS,
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


@router.get("/{network_id}", response_class=HTMLResponse)
async def network_page(
    request: Request, network_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    network = await _network(web, user, network_id)
    typed = NewAnnouncement(language=reader_language(request))
    return await _page(request, web, user, network, typed)


@router.post("/{network_id}/announcements", response_model=None)
async def post_announcement(
    request: Request, network_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    network = await _network(web, user, network_id)
    typed, errors = read_announcement(form)
    # The form's own key: a double click or a reload posts the announcement once.
    key = web.keys.key(str(form.get("form_key") or ""), f"announcement:{network.id}")
    if errors or key is None:
        problem = None if errors else FORM_EXPIRED
        return await _page(
            request, web, user, network, typed, errors=errors, problem=problem, status=422
        )
    answer = await as_person(
        web,
        user,
        "POST",
        f"/networks/{network.id}/announcements",
        api=web.services.network,
        json=typed.payload(),
        headers={"Idempotency-Key": key},
    )
    if answer.status_code >= 400:
        return await _page(request, web, user, network, typed, problem=NOT_POSTED, status=422)
    request.session[NOTICE] = {"text": POSTED, "title": typed.title}
    return RedirectResponse(f"/workspace/networks/{network.id}", status_code=303)
