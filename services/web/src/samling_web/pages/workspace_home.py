"""The workspace's front page (``/workspace``): the pages the signed-in person may use.

The list is the header's menu (``signin_state.menu``), so the two never disagree; someone
signed in with no workspace page gets the 403 page.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from samling_web.deps import WebDep
from samling_web.i18n import N_
from samling_web.models import Event
from samling_web.pages.workspace_dashboard import upcoming
from samling_web.signin_state import NotAllowed, SignedInDep, menu
from samling_web.workspace import PRIVATE

router = APIRouter()

# What each page is for, by path (the menu gives the label).
PURPOSES = {
    "/workspace/dashboard": N_(
        "Your region's upcoming events: seats, waiting lists, offers and approvals, as they "
        "change. From each event: its registrations, the CSV list and the check-in at the door."
    ),
    "/workspace/planning": N_(
        "Plan events and dialogue conferences from a template: the agenda, conflicts with other "
        "events, publishing, moving and cancelling them."
    ),
    "/workspace/series": N_(
        "Meetings that recur, such as every second Tuesday: plan them with one form, see each "
        "series together, and publish, move or cancel its meetings one at a time or all at once."
    ),
    "/workspace/approvals": N_("Registrations from your municipality that wait for your approval."),
    "/workspace/networks": N_(
        "Your region's networks: members and their join history, partners, coordinators; "
        "post an announcement to the members."
    ),
    "/workspace/memberships": N_(
        "The networks your municipality is in: join one, leave one, and the history."
    ),
    "/workspace/contacts": N_("The people the region and the networks write to about you."),
    "/workspace/staff": N_("Everyone from your municipality who has registered for an event."),
    "/workspace/reports": N_(
        "Your municipality's experience reports: write, publish, revise and withdraw them, and "
        "turn transfer conversations shared with you into drafts."
    ),
    "/workspace/webhooks": N_(
        "Send your municipality's facts to your own systems as they happen: endpoints, their "
        "deliveries, replays and signing secrets."
    ),
}


@router.get("/workspace", response_class=HTMLResponse)
async def home(request: Request, web: WebDep, user: SignedInDep) -> HTMLResponse:
    pages = [(label, href) for label, href in menu(user) if href in PURPOSES]
    if not pages:
        raise NotAllowed
    # A coordinator's registrations and check-in are an event's: linked per upcoming event.
    coordinates = any(href == "/workspace/dashboard" for _, href in pages)
    events: list[Event] = (await upcoming(web, user))[0] if coordinates else []
    return web.pages.render(
        request,
        "workspace/home.html",
        pages=pages,
        purposes=PURPOSES,
        events=events,
        headers=PRIVATE,
    )
