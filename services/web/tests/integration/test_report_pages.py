"""Experience reports in the web app (issue #13) against the real network and events services,
Kafka and FerretDB, with people signed in through the development OpenID Connect provider:
the library's filters, an administrator who writes, publishes and withdraws a report that
another municipality's administrator then no longer finds, the API's refusals as messages
beside the fields, and a transfer conversation shared as a report draft (issue #17) that
opens the SMTTE form filled in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from samling_devtools.oidc import DEMO_CLIENTS, DEMO_USERS, DemoUser, OidcServer
from samling_devtools.processes import free_port
from samling_devtools.testing import call
from samling_events.adapters.api.tokens import manage_token
from samling_events.adapters.api.transfer_sides import manager_token
from samling_events.settings import EventsSettings

from services.web.tests.browser.test_signin_journey import SEEDER, Signed, signed
from services.web.tests.conftest import hidden
from services.web.tests.signing_in import sign_in_through_the_web_app

pytestmark = pytest.mark.integration

__all__ = ["signed"]  # the fixture, used by name
FAUSKE = "NO-1841"
FAUSKE_ADMIN = DemoUser(
    "fauske-admin",
    "Frode Fauske",
    "frode.admin@fauske.kommune.no",
    ("municipality_admin",),
    region="rkk-salten",
    municipality=FAUSKE,
)


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcServer]:
    """The demo users and an administrator of a second municipality, Fauske."""
    users = (*DEMO_USERS, FAUSKE_ADMIN)
    with OidcServer(free_port(), users=users, clients=(*DEMO_CLIENTS, SEEDER)).running() as s:
        yield s


@pytest.fixture(scope="module")
async def site(signed: Signed) -> Signed:
    """Fauske registered in the region too."""
    await call(signed.network.client, "POST", "/municipalities", 201,
               headers=signed.token("koordinator"),
               json={"country": "NO", "number": "1841", "name": "Fauske"})  # fmt: skip
    return signed


async def signed_in(world: Signed, username: str) -> httpx.AsyncClient:
    """A client with the web app's session after signing in on the provider's form, as a
    browser does: the web app's redirect, the form posted, the callback followed."""
    client = httpx.AsyncClient(base_url=world.site, timeout=30)
    await sign_in_through_the_web_app(client, world.provider, username)
    return client


def report_form(title: str, **overrides: str | list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "context": "Tre skoler i Bodø ville styrke lesingen.",
        "goals": "Flere elever leser på fritida.",
        "signs": "",
        "actions": "Lesevenner på tvers av trinn.",
        "evaluation": "",
        "arena": ["reflection_group", "study_trip"],
        "level": "unit",
        "language": "nb",
        "visibility": "region",
        "save": "publish",
        **overrides,
    }


async def post_form(client: httpx.AsyncClient, page: str, data: dict[str, Any]) -> httpx.Response:
    """Open the form page and send it with its CSRF token and form key."""
    shown = await client.get(page)
    assert shown.status_code == 200, shown.text
    fields = {"csrf_token": hidden(shown.text, "csrf_token"), **data}
    if 'name="form_key"' in shown.text:
        fields["form_key"] = hidden(shown.text, "form_key")
    action = page.split("?")[0] if not page.endswith("/withdraw") else page
    query = urlsplit(page).query
    return await client.post(action + (f"?{query}" if query else ""), data=fields)


def report_ids(html: str) -> set[str]:
    return {part.split('"')[0] for part in html.split('href="/reports/')[1:]}


async def test_an_administrator_writes_publishes_and_withdraws_a_report(site: Signed) -> None:
    bodo = await signed_in(site, "bodo-admin")
    fauske = await signed_in(site, "fauske-admin")
    title = "Lesevenner på tvers av trinn"

    ours = await bodo.get("/workspace/reports")
    assert ours.status_code == 200
    assert ours.headers["cache-control"] == "no-store"
    assert "Skriv en rapport" in ours.text

    # Errors beside their fields, in the reader's language; what was typed is kept.
    refused = await post_form(
        bodo,
        "/workspace/reports/new?template=smtte",
        report_form("", context="", goals="", actions="", visibility="network"),
    )
    assert refused.status_code == 422
    assert "Det er et problem" in refused.text
    assert 'href="#title"' in refused.text
    assert "Skriv en tittel" in refused.text
    assert "Skriv minst én av delene" in refused.text
    assert "Velg minst ett nettverk" in refused.text
    assert 'aria-invalid="true"' in refused.text

    # Sent twice (a double click, or back and send again): the form's key makes it one draft.
    shown = await bodo.get("/workspace/reports/new?template=smtte")
    keys = {name: hidden(shown.text, name) for name in ("csrf_token", "form_key")}
    for _ in range(2):
        saved = await bodo.post(
            "/workspace/reports/new?template=smtte",
            data={**keys, **report_form(title, save="draft")},
        )
        assert saved.status_code == 303, saved.text
    listed = await bodo.get("/workspace/reports")
    assert f"Utkastet «{title}» er lagret." in listed.text
    [report_id] = report_ids(listed.text)
    assert "Utkast" in listed.text
    library = await fauske.get("/reports")
    assert report_id not in report_ids(library.text)  # a draft is Bodø's alone
    not_yet = await bodo.get(f"/workspace/reports/{report_id}/withdraw")
    assert not_yet.status_code == 303  # a draft has nothing to withdraw
    # ... and not in the library even for Bodø: the library lists published reports only.
    assert report_id not in report_ids((await bodo.get("/reports")).text)

    published = await post_form(bodo, f"/workspace/reports/{report_id}", report_form(title))
    assert published.status_code == 303, published.text
    assert f"«{title}» er publisert." in (await bodo.get("/workspace/reports")).text
    found = await fauske.get("/reports", params={"arena": "study_trip", "level": "unit"})
    assert report_id in report_ids(found.text)
    assert (await fauske.get("/reports", params={"level": "individual"})).status_code == 200
    assert report_id not in report_ids(
        (await fauske.get("/reports", params={"level": "individual"})).text
    )
    shown = await fauske.get(f"/reports/{report_id}")
    assert shown.status_code == 200
    for text in ("Sammenheng", "Mål", "Tiltak", "SMTTE", "Refleksjonsgruppe", "Enhet"):
        assert text in shown.text, text
    assert "Rediger denne rapporten" not in shown.text  # not Fauske's to edit
    anonymous = httpx.AsyncClient(base_url=site.site)
    assert (await anonymous.get(f"/reports/{report_id}")).status_code == 404  # region only
    assert report_id not in report_ids((await anonymous.get("/reports")).text)

    # A revision of a published report: its history shows on the report page.
    revised = await post_form(
        bodo, f"/workspace/reports/{report_id}", report_form(title + " (revidert)", save="revise")
    )
    assert revised.status_code == 303
    history = await bodo.get(f"/reports/{report_id}")
    assert "Versjonshistorikk" in history.text
    assert "Versjon 1" in history.text
    assert "Versjon 2" in history.text

    # Fauske may neither edit nor withdraw Bodø's report.
    assert (await fauske.get(f"/workspace/reports/{report_id}")).status_code == 404
    assert (await fauske.get(f"/workspace/reports/{report_id}/withdraw")).status_code == 404

    confirm = await bodo.get(f"/workspace/reports/{report_id}/withdraw")
    assert "Trekke tilbake rapporten?" in confirm.text
    withdrawn = await post_form(bodo, f"/workspace/reports/{report_id}/withdraw", {})
    assert withdrawn.status_code == 303
    again = await bodo.post(
        f"/workspace/reports/{report_id}/withdraw",
        data={"csrf_token": hidden(confirm.text, "csrf_token")},
    )
    assert again.status_code == 303  # a second click is harmless, not an error page
    assert "er trukket tilbake" in (await bodo.get("/workspace/reports")).text
    assert report_id not in report_ids((await fauske.get("/reports")).text)
    assert (await fauske.get(f"/reports/{report_id}")).status_code == 404
    for client in (bodo, fauske, anonymous):
        await client.aclose()


async def test_only_an_administrator_may_open_the_report_workspace(site: Signed) -> None:
    """Every workspace route, for each role: the administrator may; a participant and a
    coordinator get 403 (and no link to it); an anonymous visitor is asked to sign in."""
    created = await call(site.network.client, "POST", "/reports", 201,
                         headers=site.token("bodo-admin"), json={
        "title": "Tilgangsprøve", "body": {"template": "free_text", "text": "Prøve."},
        "tags": {"language": "nb"}, "visibility": "public",
    })  # fmt: skip
    report = f"/workspace/reports/{created['id']}"
    await call(site.network.client, "POST", f"/reports/{created['id']}/publish", 200,
               headers=site.token("bodo-admin"))  # fmt: skip
    pages = ["/workspace/reports", "/workspace/reports/new?template=smtte", report,
             f"{report}/withdraw"]  # fmt: skip
    forms = ["/workspace/reports/new?template=smtte", report, f"{report}/withdraw"]
    admin = await signed_in(site, "bodo-admin")
    for path in pages:
        answer = await admin.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["cache-control"] == "no-store", path
    csrf = hidden((await admin.get("/workspace/reports/new")).text, "csrf_token")
    for username in ("deltaker", "koordinator"):
        other = await signed_in(site, username)
        assert 'href="/workspace/reports"' not in (await other.get("/reports")).text
        assert 'href="/reports"' in (await other.get("/")).text  # the library is for all
        for path in pages:
            assert (await other.get(path)).status_code == 403, (username, path)
        token = hidden((await other.get("/reports")).text, "csrf_token")
        for path in forms:
            answer = await other.post(path, data={"csrf_token": token, "title": "x"})
            assert answer.status_code == 403, (username, path)
        await other.aclose()
    async with httpx.AsyncClient(base_url=site.site) as anonymous:
        for path in pages:
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin"), path
        forged = await anonymous.post(forms[0], data={"csrf_token": csrf, "title": "x"})
        assert forged.status_code in (303, 403)  # asked to sign in, or the form refused
    without_token = await admin.post(forms[0], data={"title": "x"})
    assert without_token.status_code == 403  # CSRF: the form's token is required
    still = await call(site.network.client, "GET", f"/reports/{created['id']}", 200,
                       headers=site.token("bodo-admin"))  # fmt: skip
    assert still["status"] == "published"  # nobody above changed it
    await admin.aclose()


async def test_library_filters_by_network_arena_level_municipality_language_and_word(
    site: Signed,
) -> None:
    bodo_token = site.token("bodo-admin")
    fauske_token = site.token("fauske-admin")
    networks = await call(site.network.client, "GET", "/networks", 200, headers=bodo_token)
    network_id = networks["items"][0]["id"]

    async def public(token: dict[str, str], title: str, **tags: Any) -> str:
        created = await call(site.network.client, "POST", "/reports", 201, headers=token, json={
            "title": title, "body": {"template": "free_text", "text": f"{title}: fortalt."},
            "tags": {"language": "nb", **tags}, "visibility": "public",
            "network_ids": tags.pop("networks", []),
        })  # fmt: skip
        await call(site.network.client, "POST", f"/reports/{created['id']}/publish", 200,
                   headers=token)  # fmt: skip
        report_id: str = created["id"]
        return report_id

    ours = await public(bodo_token, "Skuggning i barnehagen", learning_arenas=["job_shadowing"],
                        level="individual", networks=[network_id])  # fmt: skip
    theirs = await public(fauske_token, "Studietur til Umeå", learning_arenas=["study_trip"],
                          level="organisation", language="sv")  # fmt: skip
    async with httpx.AsyncClient(base_url=site.site) as anonymous:

        async def hits(**params: str) -> set[str]:
            answer = await anonymous.get("/reports", params=params)
            assert answer.status_code == 200
            return report_ids(answer.text) & {ours, theirs}

        assert await hits() == {ours, theirs}
        assert await hits(network=network_id) == {ours}
        assert await hits(arena="study_trip") == {theirs}
        assert await hits(arena="job_shadowing") == {ours}
        assert await hits(level="individual") == {ours}
        assert await hits(municipality=FAUSKE) == {theirs}
        assert await hits(language="sv") == {theirs}
        assert await hits(q="Umeå") == {theirs}
        assert await hits(q="barnehagen", municipality=FAUSKE) == set()
        assert await hits(arena="no-such-arena") == {ours, theirs}  # a stale link still finds
        # Twenty a page, newest first; the next page keeps the filters.
        many = [
            await public(bodo_token, f"Sidevisning {n}", learning_arenas=["mentoring"])
            for n in range(21)
        ]
        first = await anonymous.get("/reports", params={"q": "Sidevisning"})
        assert report_ids(first.text) == set(many[1:])
        older = first.text.split('href="/reports?q=Sidevisning&amp;cursor=')[1].split('"')[0]
        second = await anonymous.get(f"/reports?q=Sidevisning&cursor={older}")
        assert report_ids(second.text) == {many[0]}
        assert 'href="/reports?q=Sidevisning"' in second.text  # back to the first page
        page = await anonymous.get("/reports", params={"language": "sv"})
        assert '<option value="sv" lang="sv" selected>' in page.text  # the filter is kept
        assert "Eksterne læringsarenaer" in page.text  # the catalogue's two groups
        assert 'href="/reports?arena=study_trip"' in page.text  # browsable by arena


async def _shared_draft(site: Signed) -> str:
    """A Bodø participant's transfer plan for a course, whose "before" notes she and her
    manager agreed to share as a report draft; the plan's id."""
    coordinator = site.token("koordinator")
    networks = await call(site.network.client, "GET", "/networks", 200, headers=coordinator)
    starts = (datetime.now(UTC) + timedelta(days=30)).replace(hour=8, minute=0, microsecond=0)
    course = await call(site.events.client, "POST", "/events", 201, headers=coordinator, json={
        "kind": "course_seminar", "network_id": networks["items"][0]["id"],
        "title": "Kurs: Lesestrategier", "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(), "timezone": "Europe/Oslo",
        "venue": "Bodø rådhus", "capacity": 20,
    })  # fmt: skip
    event_id = course["id"]
    await call(site.events.client, "POST", f"/events/{event_id}/publish", 200,
               headers=coordinator)  # fmt: skip
    registered = await call(site.events.client, "POST", f"/events/{event_id}/registrations", 201,
                            headers=site.token("bodo-admin"), json={
        "name": "Tora Overføring", "email": "tora@bodo.kommune.no",
        "municipality_id": "NO-1804", "role": "Lærer",
    })  # fmt: skip
    registration = registered.get("registration", registered)
    secret = EventsSettings().participant_secret.get_secret_value()
    mine = f"/manage/{manage_token(registration['participant_id'], secret)}"
    plan_base = f"{mine}/registrations/{registration['id']}/transfer"
    await call(site.events.client, "PUT", plan_base, 200,
               json={"name": "Ola Leder", "email": "ola.leder@bodo.kommune.no"})  # fmt: skip
    doc = await site.events.db["transfer_plans"].find_one({"registration_id": registration["id"]})
    assert doc is not None
    manager = f"/transfer/{manager_token(doc['_id'], doc['manager_key'], secret)}"
    for base, field, text in (
        (plan_base, "goals_me", "Lese mer med elevene."),
        (manager, "context", "Skolen satser på lesing."),
    ):
        await call(site.events.client, "POST", f"{base}/conversations/before/notes", 201,
                   json={"field": field, "text": text})  # fmt: skip
    sharing = "/conversations/before/sharing/report_draft"
    await call(site.events.client, "POST", f"{plan_base}{sharing}/propose", 200)
    await call(site.events.client, "POST", f"{manager}{sharing}/agree", 200)
    plan_id: str = doc["_id"]
    return plan_id


async def test_a_shared_transfer_conversation_opens_the_smtte_form_filled_in(
    site: Signed,
) -> None:
    plan_id = await _shared_draft(site)
    bodo = await signed_in(site, "bodo-admin")
    ours = await bodo.get("/workspace/reports")
    assert "Utkast fra overføringssamtaler" in ours.text
    assert f'name="plan" value="{plan_id}"' in ours.text
    opened = await bodo.get(
        "/workspace/reports/new",
        params={"template": "smtte", "plan": plan_id, "conversation": "before"},
    )
    assert opened.status_code == 200
    assert "Skolen satser på lesing.</textarea>" in opened.text  # context
    assert "Lese mer med elevene.</textarea>" in opened.text  # goals
    saved = await post_form(
        bodo,
        f"/workspace/reports/new?template=smtte&plan={plan_id}&conversation=before",
        {
            **report_form("Fra overføringssamtalen", save="draft", signs="", actions=""),
            "context": "Skolen satser på lesing.",
            "goals": "Lese mer med elevene.",
        },
    )
    assert saved.status_code == 303, saved.text
    drafts = await call(site.network.client, "GET", "/reports", 200,
                        headers=site.token("bodo-admin"), params={"status": "draft"})  # fmt: skip
    [draft] = [r for r in drafts["items"] if r["title"] == "Fra overføringssamtalen"]
    assert draft["body"]["template"] == "smtte"
    assert draft["body"]["context"] == "Skolen satser på lesing."
    fauske = await signed_in(site, "fauske-admin")
    assert f'value="{plan_id}"' not in (await fauske.get("/workspace/reports")).text
    gone = await fauske.get(
        "/workspace/reports/new", params={"plan": plan_id, "conversation": "before"}
    )
    assert gone.status_code == 404  # another municipality's conversation is not there
    for client in (bodo, fauske):
        await client.aclose()
