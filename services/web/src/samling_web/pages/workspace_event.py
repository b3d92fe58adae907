"""An event's registrations for its coordinator (``/workspace/events/{event_id}``): those
coming, the waiting list with its offers, counts per municipality, and the list as CSV for
name badges and the venue (``…/registrations.csv``).

Everything is read with the coordinator's own token: the events API lists an event's
registrations only to its region's coordinators, and this page is for coordinators only.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections import Counter
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from samling_web.deps import IdPath, Web, WebDep
from samling_web.i18n import N_
from samling_web.models import Event
from samling_web.signin_state import SignedIn, SignedInDep
from samling_web.workspace import PRIVATE, Registration, coordinated, every_registration, read

router = APIRouter(prefix="/workspace/events/{event_id}")
# A registration's status as the coordinator reads it (the participant's own pages say "you").
STATUSES = {
    "confirmed": N_("Confirmed"),
    "pending_approval": N_("Waiting for approval"),
    "offered": N_("Offered a seat"),
    "waitlisted": N_("On the waiting list"),
    "cancelled": N_("Cancelled"),
    "declined": N_("Not approved"),
    "offer_expired": N_("The offer expired"),
}
ACTIVE = ("confirmed", "pending_approval", "offered", "waitlisted")
"""Those still coming or waiting: the lists, the counts and the CSV leave out the rest."""
CSV_HEADER = (N_("Name"), N_("Municipality"), N_("Role"), N_("Status"))
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Tally:
    municipality: str
    coming: int
    waiting: int
    checked_in: int


async def event_and_registrations(
    web: Web, user: SignedIn, event_id: str
) -> tuple[Event, list[Registration], dict[str, str]]:
    """The event, its registrations still coming or waiting, and the region's municipalities'
    names by id."""
    region = coordinated(user)
    event, registrations, municipalities = await asyncio.gather(
        read(web, user, Event, f"/events/{event_id}"),
        every_registration(web, user, event_id),
        web.services.municipalities(region),
    )
    names = {m.id: m.name for m in municipalities}
    return event, [r for r in registrations if r.status in ACTIVE], names


def tallies(registrations: list[Registration], names: dict[str, str]) -> list[Tally]:
    coming = Counter(r.municipality_id for r in registrations if r.status != "waitlisted")
    waiting = Counter(r.municipality_id for r in registrations if r.status == "waitlisted")
    checked_in = Counter(r.municipality_id for r in registrations if r.attended)
    found = [
        Tally(names.get(m, m), coming[m], waiting[m], checked_in[m])
        for m in {r.municipality_id for r in registrations}
    ]
    return sorted(found, key=lambda t: t.municipality)


@router.get("", response_class=HTMLResponse)
async def registrations(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> HTMLResponse:
    event, found, names = await event_and_registrations(web, user, event_id)
    waiting = sorted(
        (r for r in found if r.status == "waitlisted"), key=lambda r: r.waiting_position or 0
    )
    return web.pages.render(
        request,
        "workspace/event.html",
        event=event,
        coming=[r for r in found if r.status != "waitlisted"],
        waiting=waiting,
        tallies=tallies(found, names),
        names=names,
        statuses=STATUSES,
        headers=PRIVATE,
    )


def _cell(value: str) -> str:
    """A spreadsheet must not run what someone typed into the public form as a formula."""
    return f"'{value}" if value.startswith(FORMULA) else value


@router.get("/registrations.csv", response_model=None)
async def registrations_csv(
    request: Request, event_id: IdPath, web: WebDep, user: SignedInDep
) -> Response:
    _, found, names = await event_and_registrations(web, user, event_id)
    gettext = web.pages.gettext(request).gettext
    out = io.StringIO()
    # A byte-order mark, so spreadsheet programs read the names' æ, ø and å as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([gettext(column) for column in CSV_HEADER])
    for r in found:
        municipality = names.get(r.municipality_id, r.municipality_id)
        status = gettext(STATUSES[r.status])
        writer.writerow([_cell(r.name or ""), _cell(municipality), _cell(r.role), status])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            **PRIVATE,
            "Content-Disposition": f'attachment; filename="registrations-{event_id}.csv"',
        },
    )
