"""Who may open which page: every route of the web app, for every kind of visitor.

Part 1 of the web app has no sign-in: a visitor is anonymous, or holds a private link (the
signed token in the mail), which is the credential for one participant's registrations. So
the matrix asks, for each route: what does a stranger get, what does the link's holder get,
what does someone holding another participant's link get, and what does a forged link get.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from samling_devtools.testing import call, served_operations
from samling_events.adapters.api.tokens import manage_token
from samling_events.settings import EventsSettings
from samling_notifications.domain.links import sign_recipient

from services.web.tests.conftest import (
    COORDINATOR,
    REGION,
    SignedWorld,
    World,
    hidden,
    register_on_form,
)
from services.web.tests.integration.test_mail_links import write_report
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name


@dataclass
class Scene:
    """A published event with Kari confirmed and Per waitlisted, and a draft event."""

    event_id: str
    draft_id: str
    kari_link: str
    kari_registration: str
    per_link: str
    per_registration: str
    network_id: str
    preferences_token: str
    public_report: str
    members_report: str
    assignment_id: str


async def _scene(world: World) -> Scene:
    event_id = await world.publish("Temadag: Tilgang", 1)
    created = await call(
        world.events.client,
        "POST",
        "/events/from-template",
        201,
        headers=COORDINATOR,
        json={
            "template": "one_day",
            "network_id": world.network_id,
            "title": "Utkast: ikke publisert",
            "starts_at": world.starts.isoformat(),
            "venue": "Fauske hotell",
            "capacity": 10,
        },
    )
    for name, municipality_id in (("Kari Nordmann", "NO-1804"), ("Per Hansen", "NO-1841")):
        async with world.browser() as browser:
            email = f"{name.split()[0].lower()}@example.no"
            sent = await register_on_form(browser, event_id, name, email, municipality_id)
            assert sent.status_code == 303, sent.text
    assignment_id = await world.assign(event_id, "pre", "Les artikkelen", world.starts)
    by_status = {r["status"]: r for r in await world.registrations(event_id)}
    secret = EventsSettings().participant_secret.get_secret_value()
    kari, per = by_status["confirmed"], by_status["waitlisted"]
    return Scene(
        event_id=event_id,
        draft_id=created["event"]["id"],
        kari_link=f"/r/{manage_token(kari['participant_id'], secret)}",
        kari_registration=kari["id"],
        per_link=f"/r/{manage_token(per['participant_id'], secret)}",
        per_registration=per["id"],
        network_id=world.network_id,
        preferences_token=sign_recipient(
            "con_access", world.notifications.app.state.settings.link_secret.get_secret_value()
        ),
        public_report=await write_report(world, "Tilgang (for alle)", "public"),
        members_report=await write_report(world, "Tilgang (nettverket)", "network"),
        assignment_id=assignment_id,
    )


# Each case: (route as served, request to make) per visitor -> expected status.
Request = Callable[[httpx.AsyncClient, Scene], Awaitable[httpx.Response]]


async def _post_with_session(
    browser: httpx.AsyncClient,
    page_path: str,
    path: str,
    csrf: bool,
    fields: dict[str, str] | None = None,
) -> httpx.Response:
    page = await browser.get(page_path)
    token = hidden(page.text, "csrf_token") if csrf and page.status_code == 200 else "forged"
    return await browser.post(path, data={"csrf_token": token, **(fields or {})})


@dataclass(frozen=True)
class Case:
    route: str
    visitor: str
    request: Request
    expected: int


FORGED_LINK = "/r/eyJmb3JnZWQiOiJ5ZXMifQ.forged"
FORGED_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged"
FORGED_MANAGER = f"/transfer/{FORGED_TOKEN}"
SHARE = "/before/sharing/coordinators/propose"
WEBHOOK = "/workspace/webhooks"
IDS = {"endpoint_id": "whk_0123456789abcdef", "delivery_id": "msg_whk_0123456789abcdef_x"}


def _webhook_path(template: str) -> Callable[[Scene], str]:
    return lambda s: WEBHOOK + template.format(**IDS)


WORKSPACE_PLANNING_GETS: dict[str, Callable[[Scene], str]] = {
    "/workspace/series": lambda s: "/workspace/series",
    "/workspace/series/new": lambda s: "/workspace/series/new",
    "/workspace/series/{series_id}": lambda s: "/workspace/series/ser_x",
    "/workspace/series/{series_id}/cancel": lambda s: "/workspace/series/ser_x/cancel",
    "/workspace/events/{event_id}/groups": lambda s: f"/workspace/events/{s.event_id}/groups",
    "/workspace/events/{event_id}/evaluation": (
        lambda s: f"/workspace/events/{s.event_id}/evaluation"
    ),
}
WORKSPACE_PLANNING_POSTS: dict[str, Callable[[Scene], str]] = {
    "/workspace/series/new": lambda s: "/workspace/series/new",
    "/workspace/series/{series_id}/publish": lambda s: "/workspace/series/ser_x/publish",
    "/workspace/series/{series_id}/reschedule": lambda s: "/workspace/series/ser_x/reschedule",
    "/workspace/series/{series_id}/cancel": lambda s: "/workspace/series/ser_x/cancel",
    "/workspace/events/{event_id}/groups": lambda s: f"/workspace/events/{s.event_id}/groups",
    "/workspace/events/{event_id}/groups/moves": (
        lambda s: f"/workspace/events/{s.event_id}/groups/moves"
    ),
}


def _cases() -> list[Case]:
    def get(path: Callable[[Scene], str]) -> Request:
        async def run(browser: httpx.AsyncClient, scene: Scene) -> httpx.Response:
            return await browser.get(path(scene))

        return run

    def post(
        page: Callable[[Scene], str],
        path: Callable[[Scene], str],
        csrf: bool,
        fields: Callable[[Scene], dict[str, str]] | None = None,
    ) -> Request:
        async def run(browser: httpx.AsyncClient, scene: Scene) -> httpx.Response:
            sent = fields(scene) if fields else None
            return await _post_with_session(browser, page(scene), path(scene), csrf, sent)

        return run

    def of_kari(s: Scene) -> dict[str, str]:
        return {"registration_id": s.kari_registration, "rating": "4"}

    def kari_erase(s: Scene) -> str:
        # A page that always has a form, so the session has its form token.
        return f"{s.kari_link}/erase"

    def per_erase(s: Scene) -> str:
        return f"{s.per_link}/erase"

    def kari_done(s: Scene) -> str:
        return f"{s.kari_link}/assignments/{s.assignment_id}"

    def register(csrf: bool) -> Request:
        async def run(browser: httpx.AsyncClient, scene: Scene) -> httpx.Response:
            page = await browser.get(f"/events/{scene.event_id}")
            return await browser.post(
                f"/events/{scene.event_id}/register",
                data={
                    "csrf_token": hidden(page.text, "csrf_token") if csrf else "forged",
                    "form_key": hidden(page.text, "form_key"),
                    "name": "Mallory",
                    "email": "mallory@example.no",
                    "municipality_id": "NO-1804",
                    "role": "Lærer",
                },
            )

        return run

    def kari_cancel(s: Scene) -> str:
        return f"{s.kari_link}/cancel/{s.kari_registration}"

    def kari_accept(s: Scene) -> str:
        return f"{s.kari_link}/accept/{s.kari_registration}"

    def per_own_form(s: Scene) -> str:
        # Per's own page with a form: his session's form token, used on Kari's registration.
        return f"{s.per_link}/cancel/{s.per_registration}"

    def per_on_kari(s: Scene) -> str:
        return f"{s.per_link}/cancel/{s.kari_registration}"

    def kari_plan(s: Scene, link: str | None = None) -> str:
        return f"{link or s.kari_link}/transfer/{s.kari_registration}"

    def manager(s: Scene) -> dict[str, str]:
        return {"manager_name": "Mallory", "manager_email": "mallory@example.no"}

    def note(s: Scene) -> dict[str, str]:
        return {"field": "goals_me", "text": "Not mine to write."}

    def behind_the_preferences_link(page: str) -> list[Case]:
        """The link's holder may open the page; a forged link, or the form without its token,
        may not."""

        def held(s: Scene) -> str:
            return f"/{page}/{s.preferences_token}"

        def forged(s: Scene) -> str:
            return f"/{page}/{FORGED_TOKEN}"

        route = f"/{page}/{{token}}"
        return [
            Case(f"GET {route}", "the link's holder", get(held), 200),
            Case(f"GET {route}", "a forged link", get(forged), 404),
            Case(
                f"POST {route}",
                "the holder, without the form's token",
                post(held, held, csrf=False),
                403,
            ),
            Case(
                f"POST {route}",
                "a forged link with a form's token",
                post(held, forged, csrf=True),
                404,
            ),
        ]

    return [
        *behind_the_preferences_link("preferences"),
        *behind_the_preferences_link("unsubscribe"),
        Case(
            "GET /reports/{report_id}",
            "anonymous (public report)",
            get(lambda s: f"/reports/{s.public_report}"),
            200,
        ),
        Case(
            "GET /reports/{report_id}",
            "anonymous (members-only report)",
            get(lambda s: f"/reports/{s.members_report}"),
            404,
        ),
        Case(
            "GET /reports/{report_id}",
            "a forged reader link",
            get(lambda s: f"/reports/{s.members_report}?t={FORGED_TOKEN}"),
            404,
        ),
        Case(
            "GET /networks/{network_id}",
            "anonymous",
            get(lambda s: f"/networks/{s.network_id}"),
            200,
        ),
        Case(
            "GET /networks/{network_id}", "anonymous (unknown)", get(lambda s: "/networks/x"), 404
        ),
        Case("GET /", "anonymous", get(lambda s: "/"), 200),
        Case("GET /regions/{region_id}", "anonymous", get(lambda s: f"/regions/{REGION}"), 200),
        Case("GET /events/{event_id}", "anonymous", get(lambda s: f"/events/{s.event_id}"), 200),
        Case(
            "GET /events/{event_id}",
            "anonymous (draft)",
            get(lambda s: f"/events/{s.draft_id}"),
            404,
        ),
        Case(
            "GET /events/{event_id}/calendar.ics",
            "anonymous",
            get(lambda s: f"/events/{s.event_id}/calendar.ics"),
            200,
        ),
        Case(
            "GET /events/{event_id}/calendar.ics",
            "anonymous (draft)",
            get(lambda s: f"/events/{s.draft_id}/calendar.ics"),
            404,
        ),
        # The answer page shows only the visitor's own outcome; others are sent to the event.
        Case(
            "GET /events/{event_id}/registered",
            "anonymous",
            get(lambda s: f"/events/{s.event_id}/registered"),
            303,
        ),
        Case(
            "POST /events/{event_id}/register",
            "anonymous with the form's token",
            register(csrf=True),
            303,
        ),
        Case("POST /events/{event_id}/register", "a forged form", register(csrf=False), 403),
        Case("GET /language/{language}", "anonymous", get(lambda s: "/language/en"), 303),
        Case("GET /r/{token}", "the link's holder", get(lambda s: s.kari_link), 200),
        Case("GET /r/{token}", "a forged link", get(lambda s: FORGED_LINK), 404),
        Case("GET /r/{token}/cancel/{registration_id}", "the link's holder", get(kari_cancel), 200),
        Case(
            "GET /r/{token}/cancel/{registration_id}",
            "another participant's link",
            get(per_on_kari),
            404,
        ),
        Case(
            "GET /r/{token}/cancel/{registration_id}",
            "a forged link",
            get(lambda s: f"{FORGED_LINK}/cancel/{s.kari_registration}"),
            404,
        ),
        Case(
            "POST /r/{token}/cancel/{registration_id}",
            "another participant's link",
            post(per_own_form, per_on_kari, csrf=True),
            404,
        ),
        Case(
            "POST /r/{token}/cancel/{registration_id}",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, kari_cancel, csrf=False),
            403,
        ),
        Case(
            "POST /r/{token}/accept/{registration_id}",
            "another participant's link",
            post(
                per_own_form,
                lambda s: f"{s.per_link}/accept/{s.kari_registration}",
                csrf=True,
            ),
            404,
        ),
        Case(
            "POST /r/{token}/accept/{registration_id}",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, kari_accept, csrf=False),
            403,
        ),
        # The rest of my registration: assignments, evaluation, my feed, erasing my data.
        Case(
            "POST /r/{token}/assignments/{assignment_id}",
            "the link's holder",
            post(kari_erase, kari_done, csrf=True, fields=of_kari),
            303,
        ),
        Case(
            "POST /r/{token}/assignments/{assignment_id}",
            "another participant's link",
            post(
                per_erase,
                lambda s: f"{s.per_link}/assignments/{s.assignment_id}",
                csrf=True,
                fields=of_kari,
            ),
            404,
        ),
        Case(
            "POST /r/{token}/assignments/{assignment_id}",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, kari_done, csrf=False, fields=of_kari),
            403,
        ),
        Case(
            "GET /r/{token}/evaluation",
            "the link's holder",
            get(lambda s: f"{s.kari_link}/evaluation"),
            200,
        ),
        Case(
            "GET /r/{token}/evaluation",
            "a forged link",
            get(lambda s: f"{FORGED_LINK}/evaluation"),
            404,
        ),
        Case(
            "GET /r/{token}/evaluation",
            "another participant's link",
            get(lambda s: f"{s.per_link}/evaluation?registration={s.kari_registration}"),
            404,
        ),
        Case(
            "POST /r/{token}/evaluation",
            "another participant's link",
            post(per_erase, lambda s: f"{s.per_link}/evaluation", True, of_kari),
            404,
        ),
        Case(
            "POST /r/{token}/evaluation",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, lambda s: f"{s.kari_link}/evaluation", False, of_kari),
            403,
        ),
        Case(
            "GET /r/{token}/calendar.ics",
            "the link's holder",
            get(lambda s: f"{s.kari_link}/calendar.ics"),
            200,
        ),
        Case(
            "GET /r/{token}/calendar.ics",
            "a forged link",
            get(lambda s: f"{FORGED_LINK}/calendar.ics"),
            404,
        ),
        Case(
            "GET /r/{token}/erase", "the link's holder", get(lambda s: f"{s.kari_link}/erase"), 200
        ),
        Case("GET /r/{token}/erase", "a forged link", get(lambda s: f"{FORGED_LINK}/erase"), 404),
        Case(
            "POST /r/{token}/erase",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, lambda s: f"{s.kari_link}/erase", csrf=False),
            403,
        ),
        Case(
            "POST /r/{token}/erase",
            "a forged link",
            post(lambda s: f"/events/{s.event_id}", lambda s: f"{FORGED_LINK}/erase", csrf=True),
            404,
        ),
        # The transfer plan (issue #17): only through the participant's link or the
        # manager's; Kari's event offers none, so even her link finds no plan there.
        Case(
            "POST /r/{token}/transfer/{registration_id}/manager",
            "another participant's link",
            post(per_own_form, lambda s: f"{kari_plan(s, s.per_link)}/manager", True, manager),
            404,
        ),
        Case(
            "POST /r/{token}/transfer/{registration_id}/manager",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, lambda s: f"{kari_plan(s)}/manager", False, manager),
            403,
        ),
        Case(
            "GET /r/{token}/transfer/{registration_id}",
            "the link's holder (no plan)",
            get(kari_plan),
            404,
        ),
        Case(
            "GET /r/{token}/transfer/{registration_id}",
            "another participant's link",
            get(lambda s: kari_plan(s, s.per_link)),
            404,
        ),
        Case(
            "GET /r/{token}/transfer/{registration_id}",
            "a forged link",
            get(lambda s: kari_plan(s, FORGED_LINK)),
            404,
        ),
        Case(
            "POST /r/{token}/transfer/{registration_id}/{conversation}/{step}",
            "another participant's link",
            post(per_own_form, lambda s: f"{kari_plan(s, s.per_link)}/before/notes", True, note),
            404,
        ),
        Case(
            "POST /r/{token}/transfer/{registration_id}/{conversation}/{step}",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, lambda s: f"{kari_plan(s)}/before/held", False),
            403,
        ),
        Case(
            "POST /r/{token}/transfer/{registration_id}/{conversation}/sharing/{audience}/{action}",
            "another participant's link",
            post(per_own_form, lambda s: kari_plan(s, s.per_link) + SHARE, True),
            404,
        ),
        Case(
            "POST /r/{token}/transfer/{registration_id}/{conversation}/sharing/{audience}/{action}",
            "the holder, without the form's token",
            post(lambda s: s.kari_link, lambda s: kari_plan(s) + SHARE, False),
            403,
        ),
        Case("GET /transfer/{token}", "a forged link", get(lambda s: FORGED_MANAGER), 404),
        Case(
            "GET /t/{token}",
            "a forged link",
            get(lambda s: FORGED_MANAGER.replace("/transfer/", "/t/")),
            404,
        ),
        Case(
            "POST /transfer/{token}/{conversation}/{step}",
            "a forged link, with a form token",
            post(kari_erase, lambda s: f"{FORGED_MANAGER}/before/notes", True, note),
            404,
        ),
        Case(
            "POST /transfer/{token}/{conversation}/{step}",
            "without the form's token",
            post(lambda s: s.kari_link, lambda s: f"{FORGED_MANAGER}/before/held", False),
            403,
        ),
        Case(
            "POST /transfer/{token}/{conversation}/sharing/{audience}/{action}",
            "a forged link, with a form token",
            post(kari_erase, lambda s: FORGED_MANAGER + SHARE, True),
            404,
        ),
        # No issuer is configured here: the sign-in and workspace pages do not exist (the
        # signed-in roles are walked in tests/browser/test_signin_journey.py), and sign-out
        # still wants the form's token.
        Case("GET /signin", "anonymous", get(lambda s: "/signin"), 404),
        Case("GET /signin/callback", "anonymous", get(lambda s: "/signin/callback?code=x"), 404),
        Case(
            "POST /signout",
            "without the form's token",
            post(lambda s: "/", lambda s: "/signout", csrf=False),
            403,
        ),
        Case("GET /workspace/approvals", "anonymous", get(lambda s: "/workspace/approvals"), 404),
        Case(
            "POST /workspace/approvals/{event_id}/{registration_id}",
            "anonymous, with the form's token",
            post(
                lambda s: f"/events/{s.event_id}",
                lambda s: f"/workspace/approvals/{s.event_id}/{s.kari_registration}",
                True,
                lambda s: {"decision": "approve"},
            ),
            404,
        ),
        # Experience reports (issue #13): the library is open to all (public reports only
        # without a sign-in); writing is for a signed-in administrator, so without an issuer
        # these pages do not exist.
        Case("GET /reports", "anonymous", get(lambda s: "/reports"), 200),
        Case("GET /workspace/reports", "anonymous", get(lambda s: "/workspace/reports"), 404),
        Case(
            "GET /workspace/reports/new",
            "anonymous",
            get(lambda s: "/workspace/reports/new?template=smtte"),
            404,
        ),
        Case(
            "POST /workspace/reports/new",
            "anonymous, with the form's token",
            post(lambda s: f"/events/{s.event_id}", lambda s: "/workspace/reports/new", True),
            404,
        ),
        Case(
            "GET /workspace/reports/{report_id}",
            "anonymous",
            get(lambda s: f"/workspace/reports/{s.public_report}"),
            404,
        ),
        Case(
            "POST /workspace/reports/{report_id}",
            "anonymous, with the form's token",
            post(
                lambda s: f"/events/{s.event_id}",
                lambda s: f"/workspace/reports/{s.public_report}",
                True,
            ),
            404,
        ),
        Case(
            "GET /workspace/reports/{report_id}/withdraw",
            "anonymous",
            get(lambda s: f"/workspace/reports/{s.public_report}/withdraw"),
            404,
        ),
        Case(
            "POST /workspace/reports/{report_id}/withdraw",
            "anonymous, with the form's token",
            post(
                lambda s: f"/events/{s.event_id}",
                lambda s: f"/workspace/reports/{s.public_report}/withdraw",
                True,
            ),
            404,
        ),
        # Webhooks (issue #13): an administrator's, so without an issuer they do not exist
        # (the signed-in roles are walked in test_webhook_pages.py).
        *[
            Case(
                f"GET /workspace/webhooks{p}",
                "anonymous",
                get(_webhook_path(p)),
                404,
            )
            for p in ("", "/new", "/{endpoint_id}", "/{endpoint_id}/rotate")
        ],
        *[
            Case(
                f"POST /workspace/webhooks{p}",
                "anonymous, with the form's token",
                post(
                    lambda s: f"/events/{s.event_id}",
                    _webhook_path(p),
                    True,
                ),
                404,
            )
            for p in (
                "/new",
                "/{endpoint_id}/rotate",
                "/{endpoint_id}/enable",
                "/{endpoint_id}/deliveries/{delivery_id}/replay",
            )
        ],
        # The coordinator's workspace, without an issuer: as the approvals (the signed-in
        # roles are walked below, against a web app that signs in at the provider).
        Case("GET /workspace", "anonymous", get(lambda s: "/workspace"), 404),
        Case("GET /workspace/dashboard", "anonymous", get(lambda s: "/workspace/dashboard"), 404),
        Case(
            "GET /workspace/dashboard/stream",
            "anonymous",
            get(lambda s: "/workspace/dashboard/stream"),
            404,
        ),
        Case(
            "GET /workspace/events/{event_id}",
            "anonymous",
            get(lambda s: f"/workspace/events/{s.event_id}"),
            404,
        ),
        Case(
            "GET /workspace/events/{event_id}/registrations.csv",
            "anonymous",
            get(lambda s: f"/workspace/events/{s.event_id}/registrations.csv"),
            404,
        ),
        Case(
            "GET /workspace/events/{event_id}/check-in",
            "anonymous",
            get(lambda s: f"/workspace/events/{s.event_id}/check-in"),
            404,
        ),
        Case(
            "POST /workspace/events/{event_id}/check-in/{registration_id}",
            "anonymous, with the form's token",
            post(
                lambda s: f"/events/{s.event_id}",
                lambda s: f"/workspace/events/{s.event_id}/check-in/{s.kari_registration}",
                True,
            ),
            404,
        ),
        # A signed-in person's own pages (walked by role below): without an issuer, none.
        Case("GET /me/registrations", "anonymous", get(lambda s: "/me/registrations"), 404),
        Case("GET /me/inbox", "anonymous", get(lambda s: "/me/inbox"), 404),
        Case(
            "POST /me/inbox/{notice_id}/read",
            "anonymous, with the form's token",
            post(lambda s: f"/events/{s.event_id}", lambda s: "/me/inbox/ntf_x/read", True),
            404,
        ),
        Case(
            "POST /me/inbox/{notice_id}/unread",
            "anonymous, with the form's token",
            post(lambda s: f"/events/{s.event_id}", lambda s: "/me/inbox/ntf_x/unread", True),
            404,
        ),
        Case("GET /me/preferences", "anonymous", get(lambda s: "/me/preferences"), 404),
        Case(
            "POST /me/preferences",
            "anonymous, with the form's token",
            post(lambda s: f"/events/{s.event_id}", lambda s: "/me/preferences", True),
            404,
        ),
        # Planning (the coordinator's): without an issuer, none of it exists either.
        *_anonymous_planning(get, post),
        # Recurring meetings, groups and evaluation results: the same, without an issuer.
        *[
            Case(f"GET {route}", "anonymous", get(path), 404)
            for route, path in WORKSPACE_PLANNING_GETS.items()
        ],
        *[
            Case(
                f"POST {route}",
                "anonymous, with the form's token",
                post(lambda s: f"/events/{s.event_id}", path, True),
                404,
            )
            for route, path in WORKSPACE_PLANNING_POSTS.items()
        ],
        # A municipality's memberships, contact persons and staff, and the coordinator's
        # networks (issue #13): as the other workspace pages, absent without an issuer.
        *_admin_cases(get, post),
        # The calendar feeds hold no personal data: calendar apps fetch them without a token.
        Case(
            "GET /calendars/networks/{network_id}.ics",
            "anonymous",
            get(lambda s: f"/calendars/networks/{s.network_id}.ics"),
            200,
        ),
        Case(
            "GET /calendars/municipalities/{municipality_id}.ics",
            "anonymous",
            get(lambda s: "/calendars/municipalities/NO-1804.ics"),
            200,
        ),
    ]


PLANNING = [
    ("GET", ""), ("GET", "/new"), ("POST", "/new"), ("GET", "/conference"),
    ("GET", "/conference/new"), ("POST", "/conference/new"), ("GET", "/{event_id}"),
    ("GET", "/{event_id}/conflicts"), ("POST", "/{event_id}/details"),
    ("POST", "/{event_id}/agenda"), ("POST", "/{event_id}/publish"),
    ("GET", "/{event_id}/reschedule"), ("POST", "/{event_id}/reschedule"),
    ("GET", "/{event_id}/cancel"), ("POST", "/{event_id}/cancel"),
]  # fmt: skip
"""The planning pages' routes under /workspace/planning: (method, the rest of the path)."""


def _anonymous_planning(
    get: Callable[[Callable[[Scene], str]], Request], post: Callable[..., Request]
) -> list[Case]:
    def at(rest: str) -> Callable[[Scene], str]:
        return lambda s: "/workspace/planning" + rest.replace("{event_id}", s.draft_id)

    return [
        Case(f"{method} /workspace/planning{rest}", "anonymous",
             get(at(rest)) if method == "GET" else post(lambda s: f"/events/{s.event_id}",
                                                       at(rest), True), 404)
        for method, rest in PLANNING
    ]  # fmt: skip


def _admin_cases(
    get: Callable[[Callable[[Scene], str]], Request],
    post: Callable[..., Request],
) -> list[Case]:
    def anonymous_post(route: str, path: Callable[[Scene], str]) -> Case:
        form = post(lambda s: f"/events/{s.event_id}", path, True)
        return Case(route, "anonymous, with the form's token", form, 404)

    leave = "/workspace/memberships/mem_x_NO-1804_1/leave"
    return [
        Case("GET /workspace/memberships", "anonymous", get(lambda s: HOME_MEMBERSHIPS), 404),
        anonymous_post("POST /workspace/memberships/join", lambda s: f"{HOME_MEMBERSHIPS}/join"),
        Case(
            "GET /workspace/memberships/{membership_id}/leave",
            "anonymous",
            get(lambda s: leave),
            404,
        ),
        anonymous_post("POST /workspace/memberships/{membership_id}/leave", lambda s: leave),
        Case("GET /workspace/contacts", "anonymous", get(lambda s: "/workspace/contacts"), 404),
        anonymous_post("POST /workspace/contacts", lambda s: "/workspace/contacts"),
        Case("GET /workspace/staff", "anonymous", get(lambda s: "/workspace/staff"), 404),
        Case("GET /workspace/networks", "anonymous", get(lambda s: "/workspace/networks"), 404),
        Case(
            "GET /workspace/networks/{network_id}",
            "anonymous",
            get(lambda s: f"/workspace/networks/{s.network_id}"),
            404,
        ),
        anonymous_post(
            "POST /workspace/networks/{network_id}/announcements",
            lambda s: f"/workspace/networks/{s.network_id}/announcements",
        ),
    ]


HOME_MEMBERSHIPS = "/workspace/memberships"
CASES = _cases()


def test_the_matrix_covers_every_page(world: World) -> None:
    routes = served_operations(world.web.app)
    covered = {case.route for case in CASES}
    assert len(routes) >= 19
    assert routes - covered == set()
    assert covered - routes == set()


async def test_every_visitor_gets_what_the_page_allows(world: World) -> None:
    scene = await _scene(world)
    wrong = []
    for case in CASES:
        async with world.browser() as browser:
            response = await case.request(browser, scene)
        if response.status_code != case.expected:
            wrong.append(f"{case.route} as {case.visitor}: {response.status_code}")
        elif response.status_code >= 400:
            # A person gets a page, never JSON or a stack trace.
            assert response.headers["content-type"].startswith("text/html"), case
    assert wrong == []
    # Nobody but Kari's own form changed Kari's registration.
    statuses = {r["id"]: r["status"] for r in await world.registrations(scene.event_id)}
    assert statuses[scene.kari_registration] == "confirmed"
    # An anonymous visitor's library lists the public report, never the members-only one,
    # whatever they search for.
    async with world.browser() as browser:
        for query in ("", "?q=Tilgang", f"?network={scene.network_id}"):
            library = (await browser.get(f"/reports{query}")).text
            assert f'href="/reports/{scene.members_report}"' not in library, query
        assert f'href="/reports/{scene.public_report}"' in (await browser.get("/reports")).text
    # Nobody but the author municipality's own administrator withdrew a report.
    public = await world.network.client.get(f"/reports/{scene.public_report}", headers=COORDINATOR)
    assert public.json()["status"] == "published"


def _workspace_pages(ws: Workspace) -> list[str]:
    return [
        "/workspace/dashboard",
        "/workspace/dashboard/stream",
        f"/workspace/events/{ws.today}",
        f"/workspace/events/{ws.today}/registrations.csv",
        f"/workspace/events/{ws.today}/check-in",
        *(f"/workspace/planning{rest}".replace("{event_id}", ws.later)
          .replace("/conference/new", "/conference/new?template=one_day")
          for method, rest in PLANNING if method == "GET"),
        "/workspace/series",
        "/workspace/series/new",
        f"/workspace/events/{ws.today}/groups",
        f"/workspace/events/{ws.today}/evaluation",
    ]  # fmt: skip


async def _status(client: httpx.AsyncClient, path: str) -> httpx.Response:
    # A stream answers with its headers at once and never ends: read those only.
    async with client.stream("GET", path) as response:
        return response


@pytest.mark.parametrize(
    ("username", "expected", "home"),
    [("koordinator", 200, 200), ("bodo-admin", 403, 200), ("deltaker", 403, 403)],
)
async def test_the_coordinators_pages_by_role(
    workspace: Workspace, username: str, expected: int, home: int
) -> None:
    """The coordinator may; a municipality's administrator and a participant get the 403 page,
    and no link to the pages in their menu or on their workspace's front page."""
    async with workspace.signed_in(username) as person:
        answers = {path: await _status(person, path) for path in _workspace_pages(workspace)}
        assert {path: a.status_code for path, a in answers.items()} == dict.fromkeys(
            answers, expected
        )
        caching = {path: a.headers.get("cache-control", "") for path, a in answers.items()}
        assert all("no-store" in c for c in caching.values()), caching
        front = await person.get("/workspace")
        assert front.status_code == home
        calendar = await person.get("/")
        # Checking someone in: a POST with the session's own form token.
        await workspace.register(workspace.today, f"Inge {username.replace('-', ' ')}")
        (registration,) = [
            r
            for r in await workspace.registrations(workspace.today)
            if r["name"].startswith("Inge") and username.split("-")[0] in r["name"]
        ]
        checked = await person.post(
            f"/workspace/events/{workspace.today}/check-in/{registration['id']}",
            data={"csrf_token": hidden(calendar.text, "csrf_token")},
        )
        assert checked.status_code == (303 if expected == 200 else 403)
        attended = await workspace.registrations(workspace.today)
        mine = next(r for r in attended if r["id"] == registration["id"])
        assert bool(mine.get("attended")) is (expected == 200)
        # Changing an event's details: the coordinator's empty form is refused beside its
        # fields; anyone else's, valid token or not, gets the 403 page.
        details = await person.post(
            f"/workspace/planning/{workspace.later}/details",
            data={"csrf_token": hidden(calendar.text, "csrf_token")},
        )
        assert details.status_code == (422 if expected == 200 else 403)
    for page in (front.text, calendar.text):
        assert ('href="/workspace/dashboard"' in page) is (expected == 200)
        assert ('href="/workspace/planning"' in page) is (expected == 200)
    # The coordinator's front page links each upcoming event's registrations and check-in.
    check_in = f'href="/workspace/events/{workspace.today}/check-in"'
    assert (check_in in front.text) is (expected == 200)


async def test_anonymous_visitors_are_asked_to_sign_in(workspace: Workspace) -> None:
    async with workspace.visitor() as anonymous:
        for path in ["/workspace", *_workspace_pages(workspace)]:
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin?next="), path


MY_PAGES = ("/me/registrations", "/me/inbox", "/me/preferences")


@pytest.mark.parametrize(
    ("username", "registrations"),
    [("deltaker", 200), ("koordinator", 403), ("bodo-admin", 403)],
)
async def test_a_persons_own_pages_by_role(
    signed_world: SignedWorld, username: str, registrations: int
) -> None:
    """Registrations are found by a participant's e-mail, so only a participant has that page
    (the 403 page for the others, and no link); everyone signed in has an inbox and
    preferences of their own. Anonymous visitors are asked to sign in."""
    async with signed_world.signed_in(username) as person:
        answers = {path: await person.get(path) for path in MY_PAGES}
        saved = await person.post(
            "/me/preferences",
            data={"csrf_token": hidden(answers["/me/inbox"].text, "csrf_token"), "inbox": "on"},
        )
        forged = await person.post("/me/preferences", data={"csrf_token": "forged"})
    assert {p: a.status_code for p, a in answers.items()} == {
        "/me/registrations": registrations,
        "/me/inbox": 200,
        "/me/preferences": 200,
    }
    assert all("no-store" in a.headers["cache-control"] for a in answers.values())
    menu = answers["/me/inbox"].text
    assert ('href="/me/registrations"' in menu) is (registrations == 200)
    assert 'href="/me/preferences"' in menu
    assert (saved.status_code, forged.status_code) == (303, 403)
    async with httpx.AsyncClient(base_url=signed_world.site) as anonymous:
        for path in MY_PAGES:
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin?next="), path
