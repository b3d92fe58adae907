"""Every endpoint by every role: who is allowed, who is refused (401/403), and who must not
even learn that something exists (404). One table, checked request by request, and a check
that the table covers every route the service has."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from samling_devtools.testing import RunningService, served_operations, unique
from samling_events.adapters.api.tokens import manage_token
from samling_events.adapters.api.transfer_sides import manager_token
from samling_runtime.auth import Role

from .conftest import (
    COORDINATOR,
    REGION,
    SeedNetwork,
    applicant,
    headers,
    new_event,
    published_event,
)
from .test_registration import token_for
from .transfer_world import MANAGER, service_secret

pytestmark = pytest.mark.integration

ROLES: dict[str, dict[str, str]] = {
    "anonymous": {},
    "coordinator": COORDINATOR,
    "other_region": headers([Role.COORDINATOR], region_id="rkk-other"),
    "admin": headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1804"),
    "other_admin": headers([Role.MUNICIPALITY_ADMIN], municipality_id="NO-1833"),
    "participant": headers([Role.PARTICIPANT], email="person1@example.no"),
    "stranger": headers([Role.PARTICIPANT], email="someone@example.no"),
    "system": headers([Role.SYSTEM]),
    # The public web app: reads what the public may see and registers people without an
    # account; nothing an organiser does.
    "web": headers([Role.WEB]),
}
# Times the test clock (2027-01-10 08:00 UTC) is already inside: check-in, completion and
# evaluation are open.
STARTED = {"starts_at": "2027-01-10T08:30:00+01:00", "ends_at": "2027-01-10T15:00:00+01:00"}
DETAILS = {"title": "Ny tittel", "venue": "Bodø", "capacity": 20}


def managed(ok: int) -> dict[str, int]:
    """Only the coordinators of the event's region; everyone else may see the event."""
    return {
        "coordinator": ok,
        "other_region": 403,
        "admin": 403,
        "other_admin": 403,
        "participant": 403,
        "system": 403,
        "web": 403,
        "anonymous": 401,
    }


def draft(ok: int) -> dict[str, int]:
    """A draft exists only for its region's coordinators."""
    return {**{role: 404 for role in ROLES}, "coordinator": ok, "anonymous": 401}


def coordinators(ok: int) -> dict[str, int]:
    """Planning in one's own region (the seeded network is in another region for other_region)."""
    return {**managed(ok), "other_region": 404}


def signed_in(ok: int) -> dict[str, int]:
    return {**{role: ok for role in ROLES}, "anonymous": 401}


def public(ok: int) -> dict[str, int]:
    """Calendar feeds: calendar apps cannot send a token, and the feeds hold no personal data."""
    return {role: ok for role in ROLES}


def organisers(ok: int) -> dict[str, int]:
    """A registration: the participant, their municipality's admin, the region's coordinators."""
    return {
        "coordinator": ok,
        "admin": ok,
        "participant": ok,
        "other_region": 404,
        "other_admin": 404,
        "stranger": 404,
        "system": 404,
        "web": 404,
        "anonymous": 401,
    }


def municipality(ok: int) -> dict[str, int]:
    """Approval is the participant's municipality's, and nobody else learns the registration."""
    return {**{role: 404 for role in ROLES}, "admin": ok, "anonymous": 401}


def linked(ok: int) -> dict[str, int]:
    """The private link is the right: the participant's own link, not someone else's."""
    return {"participant": ok, "stranger": 404, "anonymous": 404, "coordinator": 404}


def own_link(ok: int) -> dict[str, int]:
    """Links that name no registration: a valid one shows its holder's own, a forged one 404."""
    return {"participant": ok, "anonymous": 404, "coordinator": 404}


class World:
    """Fresh things to act on, so an allowed request never spoils the next one."""

    def __init__(self, events: RunningService, network_id: str) -> None:
        self.events = events
        self.client = events.client
        self.network_id = network_id

    async def event(self, **overrides: Any) -> str:
        return await published_event(self.events, self.network_id, **overrides)

    async def draft(self) -> str:
        created = await self.client.post(
            "/events", json=new_event(self.network_id), headers=COORDINATOR
        )
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        response = await self.client.request(method, path, json=body, headers=COORDINATOR)
        assert response.status_code == status, (path, response.text)
        return response.json() if response.content else None

    async def registration(self, event_id: str | None = None, **overrides: Any) -> dict[str, Any]:
        """The participant's (person1's) registration, made by a coordinator."""
        event_id = event_id or await self.event(**overrides)
        path = f"/events/{event_id}/registrations"
        reg: dict[str, Any] = await self.call("POST", path, applicant(1), 201)
        return reg

    def link(self, role: str, participant_id: str) -> str:
        """The private link a role holds: the participant's own, a stranger's own, or forged."""
        if role == "participant":
            return token_for(self.events, participant_id)
        if role == "stranger":
            return token_for(self.events, f"par_{uuid.uuid4().hex[:20]}")
        return manage_token(participant_id, "not-the-service-secret")

    async def assignment(self, event_id: str) -> str:
        body = {
            "phase": "post",
            "title": "Skriv en erfaringsrapport",
            "due_at": "2027-03-01T12:00Z",
        }
        created = await self.call("POST", f"/events/{event_id}/assignments", body, 201)
        return str(created["id"])

    async def series(self) -> str:
        body = {**new_event(self.network_id), "rrule": "FREQ=WEEKLY;COUNT=2"}
        return str((await self.call("POST", "/series", body, 201))["series_id"])


Make = Callable[[World, str], Awaitable[tuple[str, Any]]]


@dataclass
class Case:
    method: str
    route: str
    make: Make
    expect: dict[str, int]
    variant: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}" + (f" ({self.variant})" if self.variant else "")


def path(template: str, body: Any = None) -> Make:
    """A request on a fresh published event (``{event_id}``) of the seeded network."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        event_id = await world.event() if "{event_id}" in template else ""
        return template.format(event_id=event_id, network_id=world.network_id), body

    return make


def in_region(template: str) -> Make:
    """A request about NO-1804, which the events service knows (from the network service's
    facts) as a municipality of the coordinators' region."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        await world.events.db["municipality_view"].update_one(
            {"_id": "NO-1804"}, {"$set": {"region_id": REGION}}, upsert=True
        )
        return template, None

    return make


def on_event(suffix: str, body: Any = None, prepare: str = "", **overrides: Any) -> Make:
    """A request on a fresh event; ``prepare`` is a coordinator's POST to it first."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        event_id = await world.event(**overrides)
        if prepare:
            await world.call("POST", f"/events/{event_id}/{prepare}")
        return f"/events/{event_id}{suffix}", body

    return make


def on_draft(suffix: str) -> Make:
    async def make(world: World, role: str) -> tuple[str, Any]:
        return f"/events/{await world.draft()}{suffix}", None

    return make


def on_registration(suffix: str, body: Any = None, **overrides: Any) -> Make:
    """A request on a fresh registration of person1 (the participant role)."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        reg = await world.registration(**overrides)
        return f"/events/{reg['event_id']}/registrations/{reg['id']}{suffix}", body

    return make


def by_link(
    suffix: str = "", body: Any = None, *, with_registration: bool = True, started: bool = False
) -> Make:
    """A private-link request about a fresh registration of person1."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        reg = await world.registration(**(STARTED if started else {}))
        token = world.link(role, reg["participant_id"])
        where = f"/registrations/{reg['id']}" if with_registration else ""
        return f"/manage/{token}{where}{suffix}", body

    return make


async def _series(world: World, role: str) -> tuple[str, Any]:
    return f"/series/{await world.series()}/details", DETAILS


async def _series_read(world: World, role: str) -> tuple[str, Any]:
    return f"/series/{await world.series()}", None


async def _completion(world: World, role: str) -> tuple[str, Any]:
    reg = await world.registration()
    assignment_id = await world.assignment(reg["event_id"])
    return (
        f"/events/{reg['event_id']}/assignments/{assignment_id}/completions/{reg['id']}",
        None,
    )


async def _my_assignment(world: World, role: str) -> tuple[str, Any]:
    reg = await world.registration()
    assignment_id = await world.assignment(reg["event_id"])
    token = world.link(role, reg["participant_id"])
    return f"/manage/{token}/registrations/{reg['id']}/assignments/{assignment_id}/done", None


async def _groups(world: World, role: str) -> tuple[str, Any]:
    reg = await world.registration()
    await world.call("POST", f"/events/{reg['event_id']}/groups", {"size": 2})
    return f"/events/{reg['event_id']}/groups", reg["id"]


async def _group_get(world: World, role: str) -> tuple[str, Any]:
    return (await _groups(world, role))[0], None


async def _group_move(world: World, role: str) -> tuple[str, Any]:
    groups, registration_id = await _groups(world, role)
    return f"{groups}/moves", {"registration_id": registration_id, "group": 0}


def in_network(route: str, body: dict[str, Any]) -> Make:
    """Planning in the seeded network (of the coordinator's region, not other_region's)."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        return route, {**body, "network_id": world.network_id}

    return make


async def _registering(world: World, role: str) -> tuple[str, Any]:
    # Each caller registers person1 (the participant role's own e-mail) from Bodø (NO-1804).
    return f"/events/{await world.event()}/registrations", applicant(1)


async def _registering_together(world: World, role: str) -> tuple[str, Any]:
    """Only the web app sends the forms it gathered as one request."""
    body = {"items": [{"idempotency_key": unique("k"), "registration": applicant(1)}]}
    return f"/events/{await world.event()}/registrations/batch", body


COURSE = {"kind": "course_seminar"}
TRANSFER = "/manage/{token}/registrations/{registration_id}/transfer"
AS_MANAGER = "/transfer/{token}"


def by_plan(suffix: str = "", body: Any = None, *, manager: bool = False, first: str = "") -> Make:
    """A request on a fresh transfer plan of person1. Under the manager's link the role
    ``participant`` holds the right link (the manager's), ``stranger`` the participant's link
    in its place; ``first`` is what the other party proposes before (``propose``)."""

    async def make(world: World, role: str) -> tuple[str, Any]:
        reg = await world.registration(**COURSE)
        own = f"/manage/{token_for(world.events, reg['participant_id'])}/registrations/{reg['id']}"
        named = await world.client.put(f"{own}/transfer", json=MANAGER)
        assert named.status_code == 200, named.text
        plan = await world.events.db["transfer_plans"].find_one({"_id": named.json()["plan_id"]})
        assert plan is not None
        secret = service_secret(world.events)
        managers = f"/transfer/{manager_token(plan['_id'], plan['manager_key'], secret)}"
        sharing = "/conversations/before/sharing/coordinators/propose"
        if first:
            proposed = await world.client.post(
                (own + "/transfer" if manager else managers) + sharing
            )
            assert proposed.status_code == 200, proposed.text
        if not manager:
            token = world.link(role, reg["participant_id"])
            return f"/manage/{token}/registrations/{reg['id']}/transfer{suffix}", body
        token = {
            "participant": manager_token(plan["_id"], plan["manager_key"], secret),
            "stranger": token_for(world.events, reg["participant_id"]),
        }.get(role, manager_token(plan["_id"], plan["manager_key"], "not-the-service-secret"))
        return f"/transfer/{token}{suffix}", body

    return make


def both_links(
    method: str, suffix: str, body: Any = None, status: int = 200, first: str = ""
) -> list[Case]:
    """The operation under the participant's link and under the manager's: the same rules."""
    route = suffix.replace("/before", "/{conversation}").replace("/coordinators", "/{audience}")
    return [
        Case(
            method,
            prefix + route,
            by_plan(suffix, body, manager=manager, first=first),
            linked(status),
        )
        for prefix, manager in ((TRANSFER, False), (AS_MANAGER, True))
    ]


CASES: list[Case] = [
    # -- events --------------------------------------------------------------------------------
    Case("POST", "/events", in_network("/events", new_event(None)), coordinators(201)),
    Case("GET", "/events", path("/events"), signed_in(200)),
    Case("GET", "/events/{event_id}", path("/events/{event_id}"), signed_in(200)),
    Case("GET", "/events/{event_id}", on_draft(""), draft(200), "draft"),
    Case(
        "GET", "/events/{event_id}/eligibility", path("/events/{event_id}/eligibility"), public(200)
    ),
    Case(
        "GET",
        "/events/{event_id}/eligibility",
        on_draft("/eligibility"),
        {role: 404 for role in ROLES},
        "draft",
    ),
    Case("GET", "/events/{event_id}/prework", path("/events/{event_id}/prework"), signed_in(200)),
    Case("GET", "/events/{event_id}/prework", on_draft("/prework"), draft(200), "draft"),
    Case("PUT", "/events/{event_id}/details", on_event("/details", DETAILS), managed(200)),
    Case(
        "POST",
        "/events/{event_id}/reschedule",
        on_event("/reschedule", {k: v.replace("10T", "17T") for k, v in STARTED.items()}),
        managed(200),
    ),
    Case("POST", "/events/{event_id}/publish", on_draft("/publish"), draft(200)),
    Case(
        "POST",
        "/events/{event_id}/close-registration",
        on_event("/close-registration"),
        managed(200),
    ),
    Case(
        "POST",
        "/events/{event_id}/reopen-registration",
        on_event("/reopen-registration", prepare="close-registration"),
        managed(200),
    ),
    Case("POST", "/events/{event_id}/complete", on_event("/complete", **STARTED), managed(200)),
    Case("POST", "/events/{event_id}/cancel", on_event("/cancel", {}), managed(200)),
    Case(
        "POST",
        "/events/from-template",
        in_network(
            "/events/from-template",
            {
                "template": "one_day",
                "title": "Dialogkonferanse: Lesing",
                "starts_at": "2027-02-10T09:00:00+01:00",
                "venue": "Bodø rådhus",
                "capacity": 40,
            },
        ),
        coordinators(201),
    ),
    Case(
        "POST",
        "/series",
        in_network("/series", {**new_event(None), "rrule": "FREQ=WEEKLY;COUNT=2"}),
        coordinators(201),
    ),
    Case("PUT", "/series/{series_id}/details", _series, draft(200)),
    Case("GET", "/series/{series_id}", _series_read, draft(200)),
    Case("GET", "/events/{event_id}/conflicts", on_event("/conflicts"), managed(200)),
    Case("GET", "/events/{event_id}/attendance", on_event("/attendance"), managed(200)),
    Case("GET", "/events/{event_id}/figures", on_event("/figures"), managed(200)),
    Case("GET", "/events/{event_id}/evaluations", on_event("/evaluations"), managed(200)),
    # -- assignments and groups ----------------------------------------------------------------
    Case(
        "POST",
        "/events/{event_id}/assignments",
        on_event(
            "/assignments", {"phase": "pre", "title": "Forbered", "due_at": "2027-02-01T12:00Z"}
        ),
        managed(201),
    ),
    Case("GET", "/events/{event_id}/assignments", on_event("/assignments"), managed(200)),
    Case(
        "POST",
        "/events/{event_id}/assignments/{assignment_id}/completions/{registration_id}",
        _completion,
        managed(204),
    ),
    Case(
        "POST",
        "/manage/{token}/registrations/{registration_id}/assignments/{assignment_id}/done",
        _my_assignment,
        linked(204),
    ),
    Case(
        "GET",
        "/manage/{token}/registrations/{registration_id}/followup",
        by_link("/followup"),
        linked(200),
    ),
    Case("POST", "/events/{event_id}/groups", on_event("/groups", {"size": 3}), managed(200)),
    Case("GET", "/events/{event_id}/groups", _group_get, managed(200)),
    Case("POST", "/events/{event_id}/groups/moves", _group_move, managed(200)),
    # -- registrations -------------------------------------------------------------------------
    Case(
        "POST",
        "/events/{event_id}/registrations",
        _registering,
        {
            **organisers(201),
            "other_region": 403,
            "other_admin": 403,
            "stranger": 403,
            "system": 403,
            "web": 201,
        },
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/batch",
        _registering_together,
        {**{role: 403 for role in ROLES}, "web": 200, "anonymous": 401},
    ),
    Case(
        "GET",
        "/events/{event_id}/registrations",
        on_event("/registrations"),
        {**managed(200), "admin": 200, "other_admin": 200},
    ),
    Case(
        "GET",
        "/events/{event_id}/registrations/{registration_id}",
        on_registration(""),
        organisers(200),
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/{registration_id}/cancel",
        on_registration("/cancel"),
        organisers(200),
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/{registration_id}/accept",
        on_registration("/accept"),
        organisers(200),
        "already confirmed",
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/{registration_id}/approve",
        on_registration("/approve", requires_approval=True),
        municipality(200),
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/{registration_id}/decline",
        on_registration("/decline", requires_approval=True),
        municipality(200),
    ),
    Case(
        "GET",
        "/municipalities/{municipality_id}/approvals",
        path("/municipalities/NO-1804/approvals"),
        {**{role: 403 for role in ROLES}, "admin": 200, "anonymous": 401},
    ),
    Case(
        "GET",
        "/municipalities/{municipality_id}/registrations",
        in_region("/municipalities/NO-1804/registrations"),
        {**{role: 403 for role in ROLES}, "admin": 200, "coordinator": 200, "anonymous": 401},
    ),
    Case(
        "POST",
        "/events/{event_id}/registrations/{registration_id}/attendance",
        on_registration("/attendance", {"attended": True}, **STARTED),
        managed(200),
    ),
    # -- the private link ----------------------------------------------------------------------
    Case("GET", "/manage/{token}", by_link(with_registration=False), own_link(200)),
    # Signed in: the registrations of the e-mail in the token (a stranger has none, but may ask).
    Case(
        "GET",
        "/me/registrations",
        path("/me/registrations"),
        {**{role: 403 for role in ROLES}, "participant": 200, "stranger": 200, "anonymous": 401},
    ),
    Case("DELETE", "/manage/{token}", by_link(with_registration=False), own_link(204)),
    Case(
        "POST",
        "/manage/{token}/registrations/{registration_id}/cancel",
        by_link("/cancel"),
        linked(200),
    ),
    Case(
        "POST",
        "/manage/{token}/registrations/{registration_id}/accept",
        by_link("/accept"),
        linked(200),
        "already confirmed",
    ),
    Case(
        "PUT",
        "/manage/{token}/registrations/{registration_id}/evaluation",
        by_link("/evaluation", {"rating": 4}, started=True),
        linked(204),
    ),
    # -- transfer plans: only the two links open a plan; the region sees counts and shares ----
    Case("PUT", TRANSFER, by_plan("", MANAGER), linked(200), "rename"),
    Case(
        "GET",
        "/manage/{token}/transfer",
        by_link("/transfer", with_registration=False),
        own_link(200),
    ),
    *both_links("GET", ""),
    *both_links("POST", "/conversations/before/notes", {"field": "goals_me", "text": "Mål"}, 201),
    *both_links("POST", "/conversations/before/held"),
    *both_links("POST", "/conversations/before/sharing/coordinators/propose"),
    *both_links("POST", "/conversations/before/sharing/coordinators/agree", first="propose"),
    *both_links("POST", "/conversations/before/sharing/coordinators/withdraw", first="propose"),
    Case(
        "GET",
        "/events/{event_id}/transfer/summary",
        on_event("/transfer/summary", **COURSE),
        managed(200),
    ),
    Case(
        "GET",
        "/events/{event_id}/transfer/shared",
        on_event("/transfer/shared", **COURSE),
        managed(200),
    ),
    Case(
        "GET",
        "/municipalities/{municipality_id}/transfer/report-drafts",
        path("/municipalities/NO-1804/transfer/report-drafts"),
        municipality(200),
    ),
    # -- calendars -----------------------------------------------------------------------------
    Case(
        "GET",
        "/events/{event_id}/calendar.ics",
        path("/events/{event_id}/calendar.ics"),
        signed_in(200),
    ),
    Case("GET", "/events/{event_id}/calendar.ics", on_draft("/calendar.ics"), draft(200), "draft"),
    Case(
        "GET",
        "/calendars/networks/{network_id}.ics",
        path("/calendars/networks/{network_id}.ics"),
        public(200),
    ),
    Case(
        "GET",
        "/calendars/municipalities/{municipality_id}.ics",
        path("/calendars/municipalities/NO-1804.ics"),
        public(200),
    ),
    Case(
        "GET",
        "/manage/{token}/calendar.ics",
        by_link("/calendar.ics", with_registration=False),
        own_link(200),
    ),
    # -- erasure (who else may erase is settled with the erasure work) -------------------------
    Case(
        "POST",
        "/participants/{participant_id}/erasure",
        path("/participants/par_x/erasure"),
        {"admin": 403, "participant": 403, "system": 403, "web": 403, "anonymous": 401},
    ),
]


def test_the_matrix_covers_every_endpoint(events: RunningService) -> None:
    routes = served_operations(events.app)
    covered = {f"{case.method} {case.route}" for case in CASES}
    assert len(routes) >= 41
    assert routes - covered == set()
    assert covered - routes == set()


async def test_role_endpoint_matrix(events: RunningService, seed_network: SeedNetwork) -> None:
    world = World(events, await seed_network(["NO-1804"]))
    wrong = []
    for case in CASES:
        for role, expected in case.expect.items():
            where, body = await case.make(world, role)
            response = await events.client.request(
                case.method, where, json=body, headers=ROLES[role]
            )
            if response.status_code != expected:
                wrong.append(f"{role} {case.name}: {response.status_code} != {expected}")
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", case.name
    assert wrong == [], "\n".join(wrong)


async def test_registering_someone_already_registered_is_409_for_every_caller(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    event_id = await published_event(events, await seed_network(["NO-1804"]))
    first = await events.client.post(
        f"/events/{event_id}/registrations", json=applicant(1), headers=COORDINATOR
    )
    assert first.status_code == 201, first.text
    for role in ("coordinator", "admin", "participant"):
        again = await events.client.post(
            f"/events/{event_id}/registrations", json=applicant(1), headers=ROLES[role]
        )
        assert again.status_code == 409, (role, again.text)
        assert again.json()["registration_id"] == first.json()["id"]


async def test_lists_page_by_start_and_hide_drafts_from_others(
    events: RunningService, seed_network: SeedNetwork
) -> None:
    network_id = await seed_network(["NO-1804"])
    published = [
        await published_event(
            events,
            network_id,
            starts_at=f"2027-0{m}-10T09:00:00+01:00",
            ends_at=f"2027-0{m}-10T15:00:00+01:00",
        )
        for m in (3, 1, 2)
    ]
    draft = await events.client.post("/events", json=new_event(network_id), headers=COORDINATOR)
    seen: list[str] = []
    cursor = None
    while True:
        page = await events.client.get(
            "/events",
            params={"network_id": network_id, "limit": 2, **({"cursor": cursor} if cursor else {})},
            headers=ROLES["participant"],
        )
        seen += [e["id"] for e in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == [published[1], published[2], published[0]]
    mine = await events.client.get(
        "/events", params={"network_id": network_id}, headers=COORDINATOR
    )
    assert draft.json()["id"] in [e["id"] for e in mine.json()["items"]]
