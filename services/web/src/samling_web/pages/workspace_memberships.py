"""A municipality administrator's memberships (``/workspace/memberships``): the networks of
the region we are in, joining one, leaving one (after a confirmation page), and the history
of joining and leaving with dates.

Every call goes to the network API with the administrator's own token, so the network service
decides who may join and leave for which municipality; the page refuses only those whose
token says they administer no municipality, and finds no other municipality's membership.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.memberships import Membership, every_membership, region_networks
from samling_web.models import Network
from samling_web.security import check_csrf
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import PRIVATE, administered, as_person

router = APIRouter(prefix="/workspace/memberships")
HOME = "/workspace/memberships"
NOTICE = "memberships_notice"

JOINED = N_("Your municipality is now a member of %(network)s.")
LEFT = N_("Your municipality has left %(network)s. It is kept in the history below.")
NOT_JOINED = N_("Your municipality could not join that network. It may be a member already.")
NOT_LEFT = N_("That membership has ended already.")


@dataclass(frozen=True)
class Ours:
    """The municipality's memberships and the region's networks, by network id."""

    networks: dict[str, Network]
    history: list[Membership]

    def active(self) -> dict[str, Membership]:
        return {m.network_id: m for m in self.history if m.active}

    def name(self, network_id: str) -> str:
        found = self.networks.get(network_id)
        return found.name if found else network_id


def _region(web: Web, user: SignedIn) -> str:
    return user.region_id or web.settings.default_region_id


async def _ours(web: Web, user: SignedIn) -> Ours:
    municipality = administered(user)
    networks, history = await asyncio.gather(
        region_networks(web, user, _region(web, user)),
        every_membership(web, user, f"/municipalities/{municipality}/memberships"),
    )
    return Ours({n.id: n for n in networks}, history)


@router.get("", response_class=HTMLResponse)
async def memberships(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    ours = await _ours(web, user)
    active = ours.active()
    return web.pages.render(
        request,
        "workspace/memberships.html",
        ours=ours,
        members=[(ours.networks[n], m) for n, m in active.items() if n in ours.networks],
        others=sorted(
            (n for n in ours.networks.values() if n.id not in active), key=lambda n: n.name
        ),
        notice=request.session.pop(NOTICE, None),
        headers=PRIVATE,
    )


def _notice(request: Request, text: str, network: str, ok: bool) -> RedirectResponse:
    request.session[NOTICE] = {"text": text, "network": network, "ok": ok}
    return RedirectResponse(HOME, status_code=303)


@router.post("/join", response_model=None)
async def join(request: Request, web: WebDep, user: SignedInDep) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    municipality = administered(user)
    network_id = str(form.get("network_id") or "")
    ours = await _ours(web, user)
    network = ours.networks.get(network_id)
    if network is None:  # not a network of the region (or a forged form)
        return _notice(request, NOT_JOINED, "", ok=False)
    answer = await as_person(
        web,
        user,
        "POST",
        f"/networks/{network_id}/memberships",
        api=web.services.network,
        json={"municipality_id": municipality},
    )
    if answer.status_code >= 400:  # a member already (a second click), or archived
        return _notice(request, NOT_JOINED, network.name, ok=False)
    return _notice(request, JOINED, network.name, ok=True)


async def _our_membership(web: Web, user: SignedIn, membership_id: str) -> tuple[Ours, Membership]:
    """One of our municipality's memberships; another's is not found here (404)."""
    ours = await _ours(web, user)
    found = [m for m in ours.history if m.id == membership_id]
    if not found:
        raise HTTPException(404)
    return ours, found[0]


@router.get("/{membership_id}/leave", response_class=HTMLResponse, response_model=None)
async def confirm_leaving(
    request: Request, membership_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    ours, membership = await _our_membership(web, user, membership_id)
    if not membership.active:  # left already: nothing to confirm
        return RedirectResponse(HOME, status_code=303)
    return web.pages.render(
        request,
        "workspace/leave.html",
        membership=membership,
        network=ours.name(membership.network_id),
        headers=PRIVATE,
    )


@router.post("/{membership_id}/leave", response_model=None)
async def leave(
    request: Request, membership_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    form = await request.form()
    check_csrf(request.session, form)
    ours, membership = await _our_membership(web, user, membership_id)
    name = ours.name(membership.network_id)
    if not membership.active:  # a second click
        return _notice(request, NOT_LEFT, name, ok=False)
    answer = await as_person(
        web,
        user,
        "POST",
        f"/networks/{membership.network_id}/memberships/{membership.id}/leave",
        api=web.services.network,
        json={},
    )
    if answer.status_code >= 400:
        return _notice(request, NOT_LEFT, name, ok=False)
    return _notice(request, LEFT, name, ok=True)
