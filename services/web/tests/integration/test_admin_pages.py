"""A municipality administrator's memberships, contact persons and staff's registrations, and
the coordinator's networks with the announcement form (issue #13), against the real services
with people signed in at the development provider; and who may open each page."""

from __future__ import annotations

import html
import re

import httpx
import pytest
from samling_devtools.oidc import DemoUser
from samling_devtools.testing import call, unique

from services.web.tests.conftest import hidden
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name

ADMIN_PAGES = ("/workspace/memberships", "/workspace/contacts", "/workspace/staff")
# Signed in at the same provider: Fauske's administrator, and a coordinator of another region.
OTHERS = (
    DemoUser(
        "fauske-admin",
        "Frida Fauske",
        "frida@fauske.kommune.no",
        ("municipality_admin",),
        region="rkk-salten",
        municipality="NO-1841",
    ),
    DemoUser(
        "annen-koordinator", "Ola Annen", "ola@rkk-annen.no", ("coordinator",), region="rkk-annen"
    ),
)


@pytest.fixture(scope="module")
def people(workspace: Workspace) -> Workspace:
    for user in OTHERS:
        workspace.provider.provider.users[user.username] = user
    return workspace


async def _network(ws: Workspace, name: str) -> str:
    created = await call(ws.network.client, "POST", "/networks", 201,
                         headers=ws.token("koordinator"), json={"name": name, "field": "health"})  # fmt: skip
    network_id: str = created["id"]
    return network_id


async def _memberships(ws: Workspace, municipality_id: str) -> list[dict[str, object]]:
    found = await call(ws.network.client, "GET", f"/municipalities/{municipality_id}/memberships",
                       200, headers=ws.token("koordinator"))  # fmt: skip
    items: list[dict[str, object]] = found["items"]
    return items


def _text(page: httpx.Response) -> str:
    """The page's words, without its markup (what a reader sees)."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text)))


async def test_joining_leaving_and_the_history(people: Workspace) -> None:
    ws = people
    name = f"Helsenettverket {unique('n')}"
    network_id = await _network(ws, name)
    async with ws.signed_in("bodo-admin") as admin:
        page = await admin.get("/workspace/memberships")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        we_are_in, rest = _text(page).split("Bli med i et nettverk", 1)
        assert "Skoleledernettverket" in we_are_in
        assert name in rest.split("Historikk", 1)[0]
        joined = await admin.post("/workspace/memberships/join", data={
            "csrf_token": hidden(page.text, "csrf_token"), "network_id": network_id})  # fmt: skip
        assert joined.status_code == 303
        page = await admin.get(joined.headers["location"])
        assert f"Kommunen din er nå medlem av {name}." in _text(page)
        (membership,) = [m for m in await _memberships(ws, "NO-1804")
                         if m["network_id"] == network_id]  # fmt: skip
        assert membership["active"] is True
        # A network that is not the region's (a forged form) is joined by nobody.
        forged = await admin.post("/workspace/memberships/join", data={
            "csrf_token": hidden(page.text, "csrf_token"), "network_id": "net_elsewhere"})  # fmt: skip
        assert "kunne ikke bli med" in _text(await admin.get(forged.headers["location"]))
        # A second click (the same form again) joins nobody twice.
        again = await admin.post("/workspace/memberships/join", data={
            "csrf_token": hidden(page.text, "csrf_token"), "network_id": network_id})  # fmt: skip
        assert "Den er kanskje medlem allerede." in _text(
            await admin.get(again.headers["location"])
        )

        leave = f"/workspace/memberships/{membership['id']}/leave"
        confirm = await admin.get(leave)
        assert confirm.status_code == 200
        assert name in confirm.text
        assert f'action="{leave}"' in confirm.text
        # Without the form's token nothing happens.
        forged = await admin.post(leave, data={"csrf_token": "forged"})
        assert forged.status_code == 403
        left = await admin.post(leave, data={"csrf_token": hidden(confirm.text, "csrf_token")})
        assert left.status_code == 303
        page = await admin.get(left.headers["location"])
    assert f"Kommunen din har gått ut av {name}." in _text(page)
    history = _text(page).split("Historikk", 1)[1]
    # Joined and left today: both dates in the history row of the network.
    row = re.search(rf"{re.escape(name)} (\d+\. \w+ \d{{4}}) (\d+\. \w+ \d{{4}})", history)
    assert row, history
    assert row.group(1) == row.group(2)
    assert "Skoleledernettverket" in history
    assert "Fortsatt medlem" in history
    (ended,) = [m for m in await _memberships(ws, "NO-1804") if m["network_id"] == network_id]
    assert ended["active"] is False


async def test_another_municipalitys_membership_cannot_be_left(people: Workspace) -> None:
    (fauske,) = [m for m in await _memberships(people, "NO-1841")
                 if m["network_id"] == people.network_id]  # fmt: skip
    leave = f"/workspace/memberships/{fauske['id']}/leave"
    async with people.signed_in("bodo-admin") as admin:
        assert (await admin.get(leave)).status_code == 404
        page = await admin.get("/workspace/memberships")
        refused = await admin.post(leave, data={"csrf_token": hidden(page.text, "csrf_token")})
        assert refused.status_code == 404
    (still,) = [m for m in await _memberships(people, "NO-1841") if m["id"] == fauske["id"]]
    assert still["active"] is True


def _rows(rows: list[tuple[str, str, str]], contact_ids: list[str] | None = None) -> dict[str, str]:
    form = {"rows": str(len(rows))}
    for n, (name, email, language) in enumerate(rows):
        form |= {f"name-{n}": name, f"email-{n}": email, f"language-{n}": language,
                 f"contact_id-{n}": (contact_ids or [""] * len(rows))[n]}  # fmt: skip
    return form


async def test_contact_persons_errors_beside_the_fields_then_saved(people: Workspace) -> None:
    async with people.signed_in("bodo-admin") as admin:
        page = await admin.get("/workspace/contacts")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        token = hidden(page.text, "csrf_token")
        wrong = await admin.post("/workspace/contacts", data={"csrf_token": token, **_rows([
            ("Åse Ørnes", "ase@bodo.kommune.no", "nn"),
            ("", "ikke-en-adresse", "nb"),
            ("Per Pål", "not an address", "nb"),
            ("Kari Kopi", "ASE@bodo.kommune.no", "nb"),
        ])})  # fmt: skip
        assert wrong.status_code == 422
        assert wrong.headers["cache-control"] == "no-store"
        summary = wrong.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
        assert 'href="#name-1"' in summary
        assert 'href="#email-2"' in summary
        assert 'href="#email-3"' in summary
        assert "name-0" not in summary
        assert "email-0" not in summary
        # Each message above its field, the field pointing at it; what was typed kept.
        assert 'id="email-2-error"' in wrong.text
        assert 'aria-describedby="email-2-error" aria-invalid="true"' in wrong.text
        assert "Denne e-postadressen står allerede på en annen rad" in wrong.text
        assert 'value="not an address"' in wrong.text
        assert 'value="Åse Ørnes"' in wrong.text
        contacts = await call(people.network.client, "GET", "/municipalities/NO-1804", 200,
                              headers=people.token("koordinator"))  # fmt: skip
        assert "ase@bodo.kommune.no" not in str(contacts["contacts"])

        saved = await admin.post("/workspace/contacts", data={"csrf_token": token, **_rows([
            ("Åse Ørnes", "ase@bodo.kommune.no", "nn"),
            ("Bjørn Berg", "bjorn@bodo.kommune.no", "en"),
            ("", "", "nb"),
        ]), "role-1": "Kommunalsjef oppvekst"})  # fmt: skip
        assert saved.status_code == 303
        page = await admin.get(saved.headers["location"])
        assert "Kontaktpersonene er lagret." in page.text
        assert 'value="bjorn@bodo.kommune.no"' in page.text
        assert 'value="Kommunalsjef oppvekst"' in page.text
        stored = await call(people.network.client, "GET", "/municipalities/NO-1804", 200,
                            headers=people.token("koordinator"))  # fmt: skip
        assert [(c["name"], c["email"], c["language"], c["role"]) for c in stored["contacts"]] == [
            ("Åse Ørnes", "ase@bodo.kommune.no", "nn", None),
            ("Bjørn Berg", "bjorn@bodo.kommune.no", "en", "Kommunalsjef oppvekst"),
        ]
        # Emptying a row removes that person; the other keeps their id.
        ids = [c["contact_id"] for c in stored["contacts"]]
        token = hidden(page.text, "csrf_token")
        fewer = await admin.post("/workspace/contacts", data={"csrf_token": token, **_rows(
            [("Åse Ørnes", "ase@bodo.kommune.no", "nn"), ("", "", "en")], ids)})  # fmt: skip
        assert fewer.status_code == 303
    after = await call(people.network.client, "GET", "/municipalities/NO-1804", 200,
                       headers=people.token("koordinator"))  # fmt: skip
    assert [(c["contact_id"], c["name"]) for c in after["contacts"]] == [(ids[0], "Åse Ørnes")]


async def test_our_staffs_registrations_and_nobody_elses(people: Workspace) -> None:
    ours, theirs = f"Siri Staff {unique('s')}", f"Fredrik Fauske {unique('s')}"
    await people.register(people.later, ours, "NO-1804")
    await people.register(people.later, theirs, "NO-1841")
    async with people.signed_in("bodo-admin") as admin:
        page = await admin.get("/workspace/staff")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        row = _text(page).split(ours, 1)[1].split("</tr>", 1)[0]
        assert "Verksted: Skriving" in row
        assert "Bekreftet" in row
        assert theirs not in page.text
        # A cursor from an edited link starts the list over.
        bad = await admin.get("/workspace/staff", params={"cursor": "not-a-cursor"})
        assert (bad.status_code, bad.headers["location"]) == (303, "/workspace/staff")
    async with people.signed_in("fauske-admin") as fauske:
        page = await fauske.get("/workspace/staff")
    assert theirs in page.text
    assert ours not in page.text


async def test_the_coordinator_posts_an_announcement_a_visitor_reads(people: Workspace) -> None:
    ws = people
    await call(ws.network.client, "POST", f"/networks/{ws.network_id}/partners", 201,
               headers=ws.token("koordinator"),
               json={"organisation": "Nord universitet", "kind": "university"})  # fmt: skip
    title = f"Ny runde med kompetansemidler {unique('a')}"
    async with ws.signed_in("koordinator") as coordinator:
        listed = await coordinator.get("/workspace/networks")
        assert f'href="/workspace/networks/{ws.network_id}"' in listed.text
        page = await coordinator.get(f"/workspace/networks/{ws.network_id}")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        words = _text(page)
        members = words.split("Medlemmer", 1)[1].split("Partnere", 1)[0]
        assert "Bodø" in members
        assert "Fauske" in members
        assert "Fortsatt medlem" in members
        assert "Nord universitet (Universitet)" in words
        assert "Kari Koordinator (deg)" in words
        form = {"csrf_token": hidden(page.text, "csrf_token"),
                "form_key": hidden(page.text, "form_key")}  # fmt: skip
        action = f"/workspace/networks/{ws.network_id}/announcements"
        wrong = await coordinator.post(action, data={**form, "title": "", "body": "Søk innen 1. mars.",
                                                     "language": "nb"})  # fmt: skip
        assert wrong.status_code == 422
        assert 'href="#title"' in wrong.text
        assert 'id="title-error"' in wrong.text
        assert "Søk innen 1. mars." in wrong.text  # kept
        sent = {**form, "title": title, "body": "Søk innen 1. mars.", "language": "nb"}
        posted = await coordinator.post(action, data=sent)
        assert posted.status_code == 303
        # The same form sent twice (a double click) posts it once.
        assert (await coordinator.post(action, data=sent)).status_code == 303
        page = await coordinator.get(posted.headers["location"])
        assert f"Kunngjøringen «{title}» er publisert." in _text(page)
    async with ws.visitor() as visitor:
        public = await visitor.get(f"/networks/{ws.network_id}")
    assert public.status_code == 200
    assert _text(public).count(title) == 1


@pytest.mark.parametrize(
    ("username", "admin_pages", "coordinator_pages"),
    [
        ("bodo-admin", 200, 403),
        ("fauske-admin", 200, 403),
        ("koordinator", 403, 200),
        ("annen-koordinator", 403, 200),
        ("deltaker", 403, 403),
    ],
)
async def test_who_may_open_the_pages_and_whose_menu_links_them(
    people: Workspace, username: str, admin_pages: int, coordinator_pages: int
) -> None:
    network = f"/workspace/networks/{people.network_id}"
    async with people.signed_in(username) as person:
        answers = {path: (await person.get(path)).status_code for path in ADMIN_PAGES}
        networks = (await person.get("/workspace/networks")).status_code
        one = (await person.get(network)).status_code
        home = await person.get("/")
    assert answers == dict.fromkeys(ADMIN_PAGES, admin_pages)
    assert networks == coordinator_pages
    # Another region's coordinator finds no network of this region.
    assert one == (404 if username == "annen-koordinator" else coordinator_pages)
    for path in ADMIN_PAGES:
        assert (f'href="{path}"' in home.text) is (admin_pages == 200), path
    assert ('href="/workspace/networks"' in home.text) is (coordinator_pages == 200)


async def test_anonymous_visitors_are_asked_to_sign_in(people: Workspace) -> None:
    async with people.visitor() as anonymous:
        for path in (
            *ADMIN_PAGES,
            "/workspace/networks",
            f"/workspace/networks/{people.network_id}",
        ):
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin?next="), path
