"""Demo data from the seeds: RKK Salten, its nine municipalities, three learning networks
and a few experience reports in Norwegian, all created through the public API.

Seeding twice changes nothing: every creating request carries a stable ``Idempotency-Key``
(a repeat returns the first result), and publishing or joining again is a no-op.

    python -m samling_network.demo --url http://127.0.0.1:8001
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from samling_runtime.auth import Role, mint_token

from samling_network.settings import NetworkSettings

REGION = {"id": "rkk-salten", "name": "RKK Salten"}
COORDINATOR_SUBJECT = "u-coordinator-salten"  # as `samling token coordinator`

# (number, name, contact person, e-mail domain)
MUNICIPALITIES = [
    ("1804", "Bodø", "Åse Ørnes", "bodo"),
    ("1837", "Meløy", "Bjørn Ølstad", "meloy"),
    ("1838", "Gildeskål", "Gøril Skåltveit", "gildeskal"),
    ("1839", "Beiarn", "Ståle Bæivi", "beiarn"),
    ("1840", "Saltdal", "Kjærsti Rønning", "saltdal"),
    ("1841", "Fauske", "Håkon Fjærvoll", "fauske"),
    ("1845", "Sørfold", "Mærta Sørensen", "sorfold"),
    ("1848", "Steigen", "Øyvind Lærum", "steigen"),
    ("1875", "Hamarøy", "Tørris Hålogaland", "hamaroy"),
]

NETWORKS: dict[str, dict[str, Any]] = {
    "school": {
        "body": {
            "name": "Skoleledernettverket i Salten",
            "field": "school",
            "description": "Rektorer og skoleledere deler praksis om lærende skoler og "
            "vurdering for læring.",
        },
        "members": ["1804", "1837", "1840", "1841", "1848"],
        "partner": {"organisation": "Nord universitet", "kind": "university"},
    },
    "health": {
        "body": {
            "name": "Helse- og omsorgsnettverket i Salten",
            "field": "health",
            "description": "Ledere og fagfolk i helse og omsorg: veiledning, hospitering og "
            "læring av avvik.",
        },
        "members": ["1804", "1838", "1839", "1841", "1845", "1875"],
        "partner": {"organisation": "Statsforvalteren i Nordland", "kind": "county_governor"},
    },
    "digital": {
        "body": {
            "name": "Digital kompetanse i Salten",
            "field": "digital_competence",
            "description": "Nettbasert læring, e-læring og digital dømmekraft i alle tjenester.",
        },
        "members": [m[0] for m in MUNICIPALITIES],
        "partner": None,
    },
}

ANNOUNCEMENT = {
    "title": "Dialogkonferanse i Fauske 12. mars",
    "body": "Forarbeid: hver enhet tar med ett praksiseksempel. Etterarbeid: del det dere "
    "lærte på neste personalmøte.",
    "language": "nb",
}

# (key, author number, network key or None, publish?, report body)
REPORTS: list[tuple[str, str, str | None, bool, dict[str, Any]]] = [
    (
        "lesevenner",
        "1804",
        "school",
        True,
        {
            "title": "Lesevenner på tvers av trinn",
            "body": {
                "template": "smtte",
                "context": "Tre skoler i Bodø så at lesegleden falt på mellomtrinnet.",
                "goals": "Flere elever leser på fritida, og eldre elever blir rollemodeller.",
                "signs": "Elevene låner flere bøker; lærerne hører mer prat om bøker i friminuttene.",
                "actions": "Lesevenner fra 6. trinn leser med 2. trinn to ganger i uka.",
                "evaluation": "Etter ett år leste sju av ti elever mer enn før. Vi fortsetter.",
            },
            "tags": {
                "learning_arenas": ["peer_guidance", "knowledge_sharing"],
                "level": "unit",
                "language": "nb",
            },
            "visibility": "public",
        },
    ),
    (
        "veiledning",
        "1841",
        "health",
        True,
        {
            "title": "Veiledning av nyutdannede sykepleiere",
            "body": {
                "template": "practice",
                "decision": "Kommunestyret i Fauske vedtok i 2024 at alle nyutdannede får veileder.",
                "organisation": "Erfarne sykepleiere veileder, to timer i måneden i arbeidstida.",
                "goal_purpose_effect": "Færre slutter det første året; tryggere fagutøvelse.",
                "anchoring": "Forankret hos kommunalsjef for helse og omsorg og i tillitsvalgtmøtet.",
                "description": "Skulder ved skulder-opplæring på sjukeheimen og i hjemmetjenesten.",
                "spreading": "Spredt til Sørfold og Hamarøy gjennom helsenettverket.",
                "follow_up": "Evaluering hvert halvår i ledermøtet; nye veiledere får kurs.",
                "experience": "Veilederne lærer like mye som de nyansatte. Turnover har gått ned.",
            },
            "tags": {
                "learning_arenas": ["mentoring", "workplace_learning"],
                "level": "organisation",
                "language": "nb",
            },
            "visibility": "region",
        },
    ),
    (
        "refleksjon",
        "1840",
        "school",
        True,
        {
            "title": "Refleksjonsgrupper for lærarar i Saltdal",
            "body": {
                "template": "smtte",
                "context": "Lærarane i Saltdal ville dele erfaringar på tvers av skulane.",
                "goals": "Alle lærarar deltek i ei refleksjonsgruppe kvar månad.",
                "signs": "Fleire deler undervisningsopplegg; færre kjenner seg åleine.",
                "actions": "Faste grupper med lærarar frå ulike skular, leidde av rektorane.",
                "evaluation": "Gruppene held fram; neste år tek vi med barnehagane.",
            },
            "tags": {"learning_arenas": ["reflection_group"], "level": "unit", "language": "nn"},
            "visibility": "network",
        },
    ),
    (
        "hospitering",
        "1837",
        "health",
        True,
        {
            "title": "Hospitering mellom sjukeheimane i Meløy og Gildeskål",
            "body": {
                "template": "practice",
                "decision": "Rådmennene i Meløy og Gildeskål vart samde om eit felles opplegg.",
                "organisation": "To tilsette om gongen hospiterer ei veke i nabokommunen.",
                "goal_purpose_effect": "Lære av kvarandre sitt arbeid med kvalitet og avvik.",
                "anchoring": "Forankra i leiargruppene i begge kommunane.",
                "description": "Hospitering med før- og ettersamtale med næraste leiar.",
                "spreading": "Erfaringane vert delte i helse- og omsorgsnettverket.",
                "follow_up": "Kvar hospitant presenterer éin ting dei tek med seg heim.",
                "experience": "Små grep, som ny rutine for legemiddelrom, gav stor effekt.",
            },
            "tags": {
                "learning_arenas": ["job_shadowing", "quality_system"],
                "level": "individual",
                "language": "nn",
            },
            "visibility": "public",
        },
    ),
    (
        "utkast",
        "1804",
        None,
        False,
        {
            "title": "Utkast: digital dømmekraft i ungdomsskolen",
            "body": {"template": "free_text", "text": "Notater fra første samling. Ikke ferdig."},
            "tags": {"learning_arenas": ["online_learning"], "language": "nb"},
            "visibility": "private",
        },
    ),
]

TokenFor = Callable[..., str]


def dev_tokens(settings: NetworkSettings | None = None) -> TokenFor:
    """Tokens signed with the development key, like ``samling token``."""
    settings = settings or NetworkSettings()

    def token_for(role: Role, *, municipality_id: str | None = None) -> str:
        if role is Role.COORDINATOR:
            return mint_token(
                settings, subject=COORDINATOR_SUBJECT, roles=[role], region_id=REGION["id"]
            )
        subject = (
            "u-admin-bodo" if municipality_id == "NO-1804" else f"u-admin-{municipality_id or ''}"
        )
        return mint_token(settings, subject=subject, roles=[role], municipality_id=municipality_id)

    return token_for


@dataclass
class Seeded:
    networks: dict[str, str] = field(default_factory=dict)
    reports: dict[str, str] = field(default_factory=dict)


class DemoError(RuntimeError):
    pass


async def seed(client: httpx.AsyncClient, token_for: TokenFor | None = None) -> Seeded:
    """Create the demo data through the API ``client`` points at. Safe to run again."""
    token_for = token_for or dev_tokens()
    coordinator = {"Authorization": f"Bearer {token_for(Role.COORDINATOR)}"}

    def admin(number: str) -> dict[str, str]:
        token = token_for(Role.MUNICIPALITY_ADMIN, municipality_id=f"NO-{number}")
        return {"Authorization": f"Bearer {token}"}

    async def send(
        method: str, path: str, headers: dict[str, str], body: Any = None, key: str | None = None
    ) -> Any:
        if key:
            headers = {**headers, "Idempotency-Key": f"demo-{key}"}
        response = await client.request(method, path, json=body, headers=headers)
        if response.status_code >= 400:
            raise DemoError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    await send("POST", "/regions", coordinator, REGION, key="region")
    for number, name, person, domain in MUNICIPALITIES:
        body = {
            "country": "NO",
            "number": number,
            "name": name,
            "contacts": [
                {
                    "name": person,
                    "email": f"postmottak@{domain}.kommune.no",
                    "language": "nb",
                }
            ],
            # Staff registering through the web app with these addresses need no approval.
            "email_domains": [f"{domain}.kommune.no"],
        }
        await send("POST", "/municipalities", coordinator, body, key=f"municipality-{number}")

    seeded = Seeded()
    for network_key, spec in NETWORKS.items():
        network = await send(
            "POST", "/networks", coordinator, spec["body"], key=f"net-{network_key}"
        )
        network_id = network["id"]
        seeded.networks[network_key] = network_id
        for number in spec["members"]:
            await send(
                "POST",
                f"/networks/{network_id}/memberships",
                coordinator,
                {"municipality_id": f"NO-{number}", "starts_on": "2026-01-01"},
                key=f"member-{network_key}-{number}",
            )
        if spec["partner"]:
            await send(
                "POST",
                f"/networks/{network_id}/partners",
                coordinator,
                spec["partner"],
                key=f"partner-{network_key}",
            )
    await send(
        "POST",
        f"/networks/{seeded.networks['school']}/announcements",
        coordinator,
        ANNOUNCEMENT,
        key="announcement-school",
    )

    for report_key, number, shared_with, publish, report in REPORTS:
        body = {**report, "network_ids": [seeded.networks[shared_with]] if shared_with else []}
        created = await send("POST", "/reports", admin(number), body, key=f"report-{report_key}")
        seeded.reports[report_key] = created["id"]
        if publish:
            await send("POST", f"/reports/{created['id']}/publish", admin(number))
    return seeded


def try_it(url: str) -> list[str]:
    """A few commands that work against the demo data."""

    def bearer(role: str) -> str:
        return f'-H "Authorization: Bearer $(uv run samling token {role})"'

    return [
        f"curl -s {bearer('coordinator')} {url}/networks",
        f'curl -s {bearer("participant")} "{url}/reports?q=lesevenner"',
        f'curl -s {bearer("municipality_admin")} "{url}/reports?learning_arena=mentoring"',
    ]


async def seed_url(url: str, token_for: TokenFor | None = None) -> Seeded:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await seed(client, token_for)


def seed_demo(url: str, token_for: TokenFor | None = None) -> list[str]:
    """Seed the running service at ``url`` (blocking) and return commands to try.

    A failure is reported, not raised: the services keep running without demo data."""
    try:
        asyncio.run(seed_url(url, token_for))
    except (DemoError, httpx.HTTPError) as exc:
        return [f"The demo data could not be created: {exc}"]
    return ["Demo data: RKK Salten, 9 municipalities, 3 networks, 5 reports. Try:", *try_it(url)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8001", help="network service URL")
    args = parser.parse_args()
    for line in seed_demo(args.url):
        print(line)


if __name__ == "__main__":
    main()
