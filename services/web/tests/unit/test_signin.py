"""Who is signed in, from the provider's claims, and what a page that needs a sign-in answers
(no servers: the mapping and the app's answers without calling a service)."""

from __future__ import annotations

import httpx
from samling_devtools.testing import running
from samling_web.main import create
from samling_web.settings import WebSettings
from samling_web.signin_state import SESSION_KEY, current_user, menu, person
from starlette.requests import Request

OWN = [("My inbox", "/me/inbox"), ("My preferences", "/me/preferences")]
TOKEN = {"access_token": "a.b.c", "expires_at": 2_000.0}


def test_the_claims_mapping_is_configurable() -> None:
    entra = WebSettings(
        environment="test",
        oidc_roles_claim="groups",
        oidc_region_claim="office",
        oidc_municipality_claim="kommune",
    )
    claims = {
        "sub": "u-1",
        "name": "Berit Bodø",
        "groups": ["municipality_admin", "participant"],
        "office": "rkk-salten",
        "kommune": "NO-1804",
        "roles": ["coordinator"],  # not the configured claim: ignored
    }
    user = person(claims, TOKEN, entra, now=1_000.0)
    assert user.roles == {"municipality_admin", "participant"}
    assert (user.region_id, user.municipality_id) == ("rkk-salten", "NO-1804")
    assert user.administers() == "NO-1804"
    # A participant without an e-mail in the token has no registrations to be found.
    assert menu(user) == [
        ("Workspace", "/workspace"),
        ("Approvals", "/workspace/approvals"),
        ("Experience reports", "/workspace/reports"),
        ("Our memberships", "/workspace/memberships"),
        ("Our contact persons", "/workspace/contacts"),
        ("Our staff's registrations", "/workspace/staff"),
        ("Webhooks", "/workspace/webhooks"),
        *OWN,
        ("Report library", "/reports"),
    ]
    # Space-separated roles (as some providers send scopes) count too.
    spaced = person({"sub": "u-2", "roles": "coordinator participant"}, TOKEN, WebSettings(), 0)
    assert spaced.roles == {"coordinator", "participant"}
    assert spaced.administers() is None
    # A coordinator of no region has no dashboard; the inbox, preferences and report library
    # are for everyone.
    assert menu(spaced) == [*OWN, ("Report library", "/reports")]
    with_email = {"sub": "u-4", "roles": ["participant"], "email": "per@example.no"}
    assert menu(person(with_email, TOKEN, WebSettings(), 0)) == [
        ("My registrations", "/me/registrations"),
        *OWN,
        ("Report library", "/reports"),
    ]
    region = {"sub": "u-3", "roles": ["coordinator"], "region": "rkk-salten"}
    coordinator = person(region, TOKEN, WebSettings(), 0)
    assert menu(coordinator) == [
        ("Workspace", "/workspace"),
        ("Dashboard", "/workspace/dashboard"),
        ("Planning", "/workspace/planning"),
        ("Recurring meetings", "/workspace/series"),
        ("Networks", "/workspace/networks"),
        *OWN,
        ("Report library", "/reports"),
    ]
    assert spaced.name == "u-2"


def test_a_sign_in_lasts_as_long_as_its_token_or_the_longest_allowed() -> None:
    short = WebSettings(environment="test", signin_max_seconds=600)
    assert person({"sub": "u"}, TOKEN, short, now=1_000.0).expires_at == 1_600.0
    assert person({"sub": "u"}, TOKEN, WebSettings(), now=1_000.0).expires_at == 2_000.0
    no_expiry = {"access_token": "a.b.c", "expires_in": 300}
    assert person({"sub": "u"}, no_expiry, WebSettings(), now=1_000.0).expires_at == 1_300.0


def test_an_expired_sign_in_is_forgotten() -> None:
    settings = WebSettings(environment="test")
    gone = person({"sub": "u"}, {"access_token": "t", "expires_at": 1.0}, settings, now=0)
    session = {SESSION_KEY: gone.model_dump(mode="json")}
    request = Request({"type": "http", "session": session})
    assert current_user(request) is None
    assert SESSION_KEY not in session


async def test_a_workspace_page_asks_for_a_sign_in_and_does_not_exist_without_one() -> None:
    def upstream(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no service should be called: {request.url}")

    mock = httpx.MockTransport(upstream)
    transports = {"network": mock, "events": mock}
    on = WebSettings(environment="test", oidc_issuer="http://127.0.0.1:9/realm")
    async with running(create(on, transports=transports)) as web:
        asked = await web.client.get("/workspace/approvals")
        assert asked.status_code == 303
        assert asked.headers["location"] == "/signin?next=%2Fworkspace%2Fapprovals"
        policy = asked.headers["Content-Security-Policy"]
        assert "form-action 'self' http://127.0.0.1:9;" in policy  # sign-out goes there
        forged = await web.client.post("/signout", data={"csrf_token": "forged"})
        assert forged.status_code == 403
    async with running(create(WebSettings(environment="test"), transports=transports)) as web:
        for path in ("/workspace/approvals", "/signin"):
            assert (await web.client.get(path)).status_code == 404
        page = await web.client.get("/workspace/approvals")
        assert "/signin" not in page.text  # no sign-in link where nobody can sign in
        assert "form-action 'self';" in page.headers["Content-Security-Policy"]
