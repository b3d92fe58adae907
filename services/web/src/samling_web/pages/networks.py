"""A network's page with its announcements (``/networks/{network_id}``), the link in every
announcement mail; read with the web app's system credential."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from samling_web.deps import IdPath, WebDep
from samling_web.models import AnnouncementPage

router = APIRouter()
SHOWN = 20  # the newest; older news has had its time


@router.get("/networks/{network_id}", response_class=HTMLResponse, summary="A network")
async def network_page(request: Request, network_id: IdPath, web: WebDep) -> HTMLResponse:
    services = web.services
    network = await services.network_of(network_id)
    if network is None:
        raise HTTPException(404)
    news = await services.network.fetch(
        AnnouncementPage,
        f"/networks/{network_id}/announcements",
        params={"limit": SHOWN},
        headers=services.tokens.reader(),
    )
    region = await services.region(network.region_id)
    return web.pages.render(
        request,
        "network.html",
        network=network,
        region=region,
        announcements=news.items if news else [],
    )
