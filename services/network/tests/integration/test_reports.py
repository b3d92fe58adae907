"""Experience reports: visibility enforced by the query, search, revisions, withdrawal, facts."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from samling_contracts import CloudEvent
from samling_contracts.topics import REPORTS
from samling_devtools.infra import Stack
from samling_devtools.query_plans import recorder
from samling_devtools.testing import read_topic, running
from samling_network.adapters.store.stores import REPORT_TIMELINE, REPORT_WEEK_TIMELINE
from samling_network.main import create
from samling_runtime.clock import ManualClock

from services.network.tests.integration.conftest import (
    BODO,
    COORDINATOR,
    FAUSKE,
    MELOY,
    OTHER_COORDINATOR,
    PARTICIPANT,
    STEIGEN,
    SYSTEM,
    Headers,
    network_settings,
    ok,
    seed_salten,
)

pytestmark = pytest.mark.integration

SMTTE = {
    "template": "smtte",
    "context": "Tre skoler i Bodø ville styrke lesingen på mellomtrinnet.",
    "goals": "Flere elever leser på fritida.",
    "signs": "Elevene låner flere bøker; lærerne hører mer prat om bøker.",
    "actions": "Lesevenner på tvers av trinn, to økter i uka.",
    "evaluation": "Etter ett år leste sju av ti elever mer enn før.",
}
PRACTICE = {
    "template": "practice",
    "decision": "Kommunestyret vedtok veiledning for nyutdannede i 2024.",
    "organisation": "Erfarne sykepleiere er veiledere, to timer i måneden.",
    "goal_purpose_effect": "Færre slutter det første året.",
    "anchoring": "Forankret hos kommunalsjef for helse og omsorg.",
    "description": "Skulder ved skulder-opplæring på sjukeheimen.",
    "spreading": "Spredt til hjemmetjenesten høsten 2025.",
    "follow_up": "Evaluering hvert halvår i ledermøtet.",
    "experience": "Veilederne lærer like mye som de nyansatte.",
}


async def write(
    client: httpx.AsyncClient,
    title: str,
    visibility: str,
    *,
    body: dict[str, Any] = SMTTE,
    network_ids: list[str] | None = None,
    tags: dict[str, Any] | None = None,
    headers: Headers = BODO,
    publish: bool = True,
) -> str:
    payload = {
        "title": title,
        "body": body,
        "tags": tags
        or {"learning_arenas": ["reflection_group"], "level": "unit", "language": "nb"},
        "network_ids": network_ids or [],
        "visibility": visibility,
    }
    created = await ok(await client.post("/reports", json=payload, headers=headers), 201)
    assert created["status"] == "draft"
    if publish:
        published = await ok(
            await client.post(f"/reports/{created['id']}/publish", headers=headers)
        )
        assert published["status"] == "published"
        assert published["revision"] == 1
    report_id: str = created["id"]
    return report_id


@pytest.fixture(scope="module")
async def shelf(client: httpx.AsyncClient, new_network: Callable[..., Any]) -> dict[str, str]:
    """Bodø's reports at every visibility; Bodø and Fauske in network A, Meløy in B."""
    network_a = await new_network("Lesing i Salten", "school")
    network_b = await new_network("Helse i Salten", "health")
    for network_id, members in ((network_a, ("NO-1804", "NO-1841")), (network_b, ("NO-1837",))):
        for municipality_id in members:
            await ok(
                await client.post(
                    f"/networks/{network_id}/memberships",
                    json={"municipality_id": municipality_id},
                    headers=COORDINATOR,
                ),
                201,
            )
    return {
        "network_a": network_a,
        "network_b": network_b,
        "private": await write(client, "Privat: lesevenner i Bodø", "private"),
        "network": await write(client, "Nettverk: lesevenner", "network", network_ids=[network_a]),
        "region": await write(
            client,
            "Region: veiledning av nyutdannede",
            "region",
            body=PRACTICE,
            tags={
                "learning_arenas": ["mentoring", "peer_guidance"],
                "level": "organisation",
                "language": "nn",
            },
        ),
        "public": await write(client, "Offentlig: Lesevenner på tvers av trinn", "public"),
        "draft": await write(client, "Utkast: lesevenner", "public", publish=False),
    }


READERS: list[tuple[str, Headers, set[str]]] = [
    ("author Bodø", BODO, {"private", "network", "region", "public", "draft"}),
    ("Fauske, member of the network", FAUSKE, {"network", "region", "public"}),
    ("Meløy, member of another network", MELOY, {"region", "public"}),
    ("Steigen, in the region", STEIGEN, {"region", "public"}),
    ("coordinator of the region", COORDINATOR, {"network", "region", "public"}),
    ("coordinator of another region", OTHER_COORDINATOR, {"public"}),
    ("participant", PARTICIPANT, {"public"}),
    ("system client", SYSTEM, {"public"}),
]


@pytest.mark.parametrize(("who", "headers", "sees"), READERS, ids=[r[0] for r in READERS])
async def test_each_reader_finds_exactly_what_visibility_allows(
    client: httpx.AsyncClient, shelf: dict[str, str], who: str, headers: Headers, sees: set[str]
) -> None:
    reports = {name: shelf[name] for name in ("private", "network", "region", "public", "draft")}
    listed = await ok(
        await client.get("/reports?municipality_id=NO-1804&limit=200", headers=headers)
    )
    found = {name for name, rid in reports.items() if rid in {r["id"] for r in listed["items"]}}
    assert found == sees
    for name, report_id in reports.items():
        response = await client.get(f"/reports/{report_id}", headers=headers)
        assert response.status_code == (200 if name in sees else 404), (who, name)
        if name not in sees:
            assert response.json()["detail"] == "Report was not found."


async def test_search_by_text_tags_network_and_template(
    client: httpx.AsyncClient, shelf: dict[str, str]
) -> None:
    async def ids(query: str, headers: Headers = FAUSKE) -> set[str]:
        got = await ok(await client.get(f"/reports?{query}", headers=headers))
        return {r["id"] for r in got["items"]}

    assert await ids("q=LESEVENNER") == {shelf["network"], shelf["public"]}
    assert await ids("q=sjukeheimen") == {shelf["region"]}  # in the body, not the title
    assert await ids("q=skulder ved SKULDER") == {shelf["region"]}
    assert await ids("q=SKULDER-OPPLÆRING PÅ") == {shelf["region"]}  # æøå fold case too
    assert await ids("q=.*") == set()  # user input is text, not a pattern
    assert await ids("learning_arena=mentoring") == {shelf["region"]}
    assert await ids("level=organisation") == {shelf["region"]}
    assert await ids("language=nn") == {shelf["region"]}
    assert await ids("template=practice") == {shelf["region"]}
    assert await ids(f"network_id={shelf['network_a']}") == {shelf["network"]}
    assert await ids("q=lesevenner", headers=MELOY) == {shelf["public"]}
    assert shelf["draft"] in await ids("status=draft", headers=BODO)
    assert await ids("status=draft", headers=FAUSKE) == set()
    bad = await client.get("/reports?learning_arena=sofa", headers=FAUSKE)
    assert bad.status_code == 422


async def test_edits_of_a_published_report_keep_revisions_and_only_the_author_widens(
    client: httpx.AsyncClient, stack: Stack, shelf: dict[str, str]
) -> None:
    report_id = await write(client, "Lesevenner, første versjon", "region")
    revised = await ok(
        await client.patch(
            f"/reports/{report_id}",
            json={
                "title": "Lesevenner, andre versjon",
                "body": {**SMTTE, "evaluation": "Åtte av ti."},
            },
            headers=BODO,
        )
    )
    assert revised["revision"] == 2
    widened = await client.patch(
        f"/reports/{report_id}", json={"visibility": "public"}, headers=COORDINATOR
    )
    assert widened.status_code == 403
    assert "widen" in widened.json()["detail"]
    content = await client.patch(
        f"/reports/{report_id}", json={"title": "Koordinators tittel"}, headers=COORDINATOR
    )
    assert content.status_code == 403
    other = await client.patch(
        f"/reports/{report_id}", json={"title": "Fauskes tittel"}, headers=FAUSKE
    )
    assert other.status_code == 403
    narrowed = await ok(
        await client.patch(
            f"/reports/{report_id}",
            json={"visibility": "network", "network_ids": [shelf["network_a"]]},
            headers=BODO,
        )
    )
    assert narrowed["revision"] == 3
    to_private = await ok(
        await client.patch(
            f"/reports/{report_id}", json={"visibility": "private"}, headers=COORDINATOR
        )
    )
    assert to_private["visibility"] == "private"
    assert (await client.get(f"/reports/{report_id}", headers=COORDINATOR)).status_code == 404
    widened_by_author = await ok(
        await client.patch(f"/reports/{report_id}", json={"visibility": "public"}, headers=BODO)
    )
    assert widened_by_author["revision"] == 5
    history = await ok(await client.get(f"/reports/{report_id}/revisions", headers=PARTICIPANT))
    assert [h["revision"] for h in history] == [1, 2, 3, 4, 5]
    assert history[0]["title"] == "Lesevenner, første versjon"
    assert history[1]["body"]["evaluation"] == "Åtte av ti."
    assert [h["visibility"] for h in history] == [
        "region",
        "region",
        "network",
        "private",
        "public",
    ]

    def facts(records: list[Any]) -> list[CloudEvent]:
        return [CloudEvent.from_json(r.value) for r in records if r.key == report_id.encode()]

    records = await read_topic(stack.bootstrap, REPORTS.name, lambda rs: len(facts(rs)) >= 5)
    events = facts(records)
    assert [e.type.split(".")[-2] for e in events] == [
        "published",
        "revised",
        "revised",
        "revised",
        "revised",
    ]
    assert [e.data["revision"] for e in events] == [1, 2, 3, 4, 5]
    assert [e.data["title"] for e in events][3] is None  # private: no title on the topic
    assert events[0].data["title"] == "Lesevenner, første versjon"
    for record in records:
        assert b"Etter ett \xc3\xa5r" not in record.value  # never the body


async def test_a_withdrawn_report_disappears_for_every_reader_at_once(
    client: httpx.AsyncClient, stack: Stack, shelf: dict[str, str]
) -> None:
    report_id = await write(client, "Trekkes tilbake", "public")
    for headers in (FAUSKE, PARTICIPANT, COORDINATOR):
        assert (await client.get(f"/reports/{report_id}", headers=headers)).status_code == 200
    denied = await client.post(f"/reports/{report_id}/withdraw", headers=FAUSKE)
    assert denied.status_code == 403
    withdrawn = await ok(await client.post(f"/reports/{report_id}/withdraw", headers=BODO))
    assert withdrawn["status"] == "withdrawn"
    for headers in (FAUSKE, PARTICIPANT, COORDINATOR, SYSTEM):
        assert (await client.get(f"/reports/{report_id}", headers=headers)).status_code == 404
        listed = await ok(await client.get("/reports?q=Trekkes", headers=headers))
        assert listed["items"] == []
    own = await ok(await client.get(f"/reports/{report_id}", headers=BODO))
    assert own["status"] == "withdrawn"
    edit = await client.patch(
        f"/reports/{report_id}", json={"title": "Tilbake igjen"}, headers=BODO
    )
    assert edit.status_code == 409
    republish = await client.post(f"/reports/{report_id}/publish", headers=BODO)
    assert republish.status_code == 409

    records = await read_topic(
        stack.bootstrap,
        REPORTS.name,
        lambda rs: any(r.key == report_id.encode() and b"withdrawn" in r.value for r in rs),
    )
    assert any(b"report.withdrawn.v1" in r.value for r in records if r.key == report_id.encode())


async def test_private_report_title_never_reaches_the_topic(
    client: httpx.AsyncClient, stack: Stack, shelf: dict[str, str]
) -> None:
    records = await read_topic(
        stack.bootstrap,
        REPORTS.name,
        lambda rs: any(r.key == shelf["private"].encode() for r in rs),
    )
    published = [
        CloudEvent.from_json(r.value) for r in records if r.key == shelf["private"].encode()
    ]
    assert published[0].data["visibility"] == "private"
    assert published[0].data["title"] is None
    assert b"Privat" not in b"".join(r.value for r in records if r.key == shelf["private"].encode())


@pytest.mark.parametrize(
    ("payload", "status", "words"),
    [
        ({"visibility": "network"}, 422, "at least one network"),
        ({"network_ids": ["net_nope"], "visibility": "network"}, 422, "does not exist"),
        ({"body": {"template": "diary", "text": "x"}}, 422, "body"),
        ({"body": {"template": "free_text"}}, 422, "body.free_text.text"),
        ({"tags": {"language": "de"}}, 422, "tags.language"),
        ({"body": {"template": "free_text", "text": "Fri\x00tekst"}}, 422, "control characters"),
        ({"body": {"template": "smtte", "goals": "M\x1bl"}}, 422, "control characters"),
    ],
)
async def test_invalid_reports_are_explained(
    client: httpx.AsyncClient, payload: dict[str, Any], status: int, words: str
) -> None:
    base = {
        "title": "Ugyldig",
        "body": {"template": "free_text", "text": "Fri tekst med æøå."},
        "tags": {"language": "nb"},
    }
    response = await client.post("/reports", json={**base, **payload}, headers=BODO)
    assert response.status_code == status, response.text
    assert words in response.text


async def test_concurrent_edits_each_get_their_own_revision(
    client: httpx.AsyncClient, shelf: dict[str, str]
) -> None:
    report_id = await write(client, "Mange redaktører", "region")
    titles = [f"Mange redaktører, utgave {n}" for n in range(8)]
    responses = await asyncio.gather(
        *(client.patch(f"/reports/{report_id}", json={"title": t}, headers=BODO) for t in titles)
    )
    assert [r.status_code for r in responses] == [200] * len(titles)
    assert sorted(r.json()["revision"] for r in responses) == list(range(2, 10))
    history = await ok(await client.get(f"/reports/{report_id}/revisions", headers=FAUSKE))
    assert [h["revision"] for h in history] == list(range(1, 10))
    assert {h["title"] for h in history[1:]} == set(titles)


async def test_reports_page_newest_first_with_a_cursor(
    client: httpx.AsyncClient, shelf: dict[str, str]
) -> None:
    everything = await ok(await client.get("/reports?limit=200", headers=BODO))
    created = [r["created_at"] for r in everything["items"]]
    assert created == sorted(created, reverse=True)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        got = await ok(await client.get("/reports", params=params, headers=BODO))
        seen += [r["id"] for r in got["items"]]
        cursor = got["next_cursor"]
        if not cursor:
            break
    assert seen == [r["id"] for r in everything["items"]]
    assert len(seen) >= 5


async def test_a_report_page_reads_one_day_of_reports_per_query(stack: Stack) -> None:
    """The list is read a day's bucket at a time (FerretDB v1 sorts and limits only after
    reading everything the equalities match): every query of a page names its day, and the
    pages still run newest first across days, drafts and visibility as before."""
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    queries = recorder()  # before the service's client is made
    async with running(create(network_settings(stack), clock=clock)) as service:
        client = service.client
        await seed_salten(client)
        written: list[tuple[str, str]] = []
        for day in range(4):
            for visibility in ("public", "region", "private"):
                report_id = await write(client, f"Dag {day} {visibility}", visibility)
                written.append((report_id, visibility))
                clock.advance(timedelta(minutes=5))
            clock.advance(timedelta(days=3))
        newest_first = [r for r, _ in reversed(written)]
        fauske_reads = [r for r, visibility in reversed(written) if visibility != "private"]
        queries.queries.clear()
        queries.recording = True
        try:
            seen: list[str] = []
            cursor = None
            while True:
                params = {"limit": "4", **({"cursor": cursor} if cursor else {})}
                got = await ok(await client.get("/reports", params=params, headers=FAUSKE))
                seen += [r["id"] for r in got["items"]]
                cursor = got["next_cursor"]
                if not cursor:
                    break
        finally:
            queries.recording = False
        own = await ok(await client.get("/reports?limit=50", headers=BODO))
    assert seen == fauske_reads
    assert [r["id"] for r in own["items"]] == newest_first
    lists = [q.filter for q in queries.queries.values() if q.collection == "reports"]
    assert lists
    assert all(REPORT_TIMELINE.bucket_field in f for f in lists), lists


async def test_a_search_reads_by_its_word_in_buckets_that_suit_how_often_it_is_found(
    stack: Stack,
) -> None:
    """A search is one query per bucket whoever reads (the reader's visibility is checked on
    what it finds): a word in few reports a week's bucket at a time, a word of most days a
    day's; only what the reader may see is listed."""
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    queries = recorder()  # before the service's client is made
    async with running(create(network_settings(stack), clock=clock)) as service:
        client = service.client
        await seed_salten(client)
        rare = {3: "public", 17: "region", 24: "private"}  # weeks apart
        written: dict[int, str] = {}
        for day in range(30):
            word = " sjeldenord" if day in rare else ""
            title = f"Dag {day}: lesing{word}"
            written[day] = await write(client, title, rare.get(day, "public"))
            clock.advance(timedelta(days=1))
        queries.sent.clear()
        queries.recording = True
        try:
            found = await ok(await client.get("/reports?q=Sjeldenord", headers=FAUSKE))
            by_word = queries.sent_to("reports")
            queries.sent.clear()
            common = await ok(await client.get("/reports?q=lesing&limit=3", headers=FAUSKE))
            by_day = queries.sent_to("reports")
        finally:
            queries.recording = False
    assert [r["id"] for r in found["items"]] == [written[17], written[3]]
    # Three weeks hold the rare word, and this week is always read.
    assert len(by_word) <= 4, by_word
    assert all(REPORT_WEEK_TIMELINE.bucket_field in f for f in by_word), by_word
    assert [r["id"] for r in common["items"]] == [written[d] for d in (29, 28, 27)]
    # Today (always read), then 2 and 4 days: a page of three and the next one's first.
    assert len(by_day) <= 7, by_day
    assert all(REPORT_TIMELINE.bucket_field in f for f in by_day), by_day
