"""``samling-dev``: run Samling locally and help developers poke at it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console

from samling_devtools.demo_events import seed_events_demo
from samling_devtools.infra import Stack, data_root
from samling_devtools.mailpit import MailpitServer
from samling_devtools.oidc import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_USERS, OidcProvider, OidcServer
from samling_devtools.oidc.flow import sign_in
from samling_devtools.services import ServiceProcess, default_services
from samling_devtools.testing import ensure_topics

app = typer.Typer(
    help="Run Samling locally: infrastructure, services, tokens.", no_args_is_help=True
)
console = Console()

ROLES = {
    "coordinator": {"subject": "u-coordinator-salten", "region_id": "rkk-salten"},
    "municipality_admin": {"subject": "u-admin-bodo", "municipality_id": "NO-1804"},
    "participant": {"subject": "u-participant-kari", "email": "kari.nordmann@example.no"},
    "system": {"subject": "client-hr-system"},
}


# The demo user who signs in for each role when tokens come from the OIDC provider.
DEMO_USERNAMES = {"coordinator": "koordinator", "municipality_admin": "bodo-admin",
                  "participant": "deltaker"}  # fmt: skip
OIDC_PORT = int(os.environ.get("SAMLING_OIDC_PORT") or 8009)


def dev_token(role: str, provider: OidcProvider | None = None) -> str:
    """A token for a role: from ``provider`` (``up`` runs one in-process), else from the
    provider at ``SAMLING_OIDC_ISSUER`` when set (what ``up`` prints), else minted with the
    development HS256 key (services without a JWKS URL accept those)."""
    from samling_runtime.auth import Role, mint_token
    from samling_runtime.settings import ServiceSettings

    claims = ROLES[role]
    if provider is not None:
        renamed = {"region_id": "region", "municipality_id": "municipality"}
        extra = {renamed.get(k, k): v for k, v in claims.items() if k != "subject"}
        return provider.issue(
            claims["subject"], lifetime=timedelta(hours=12), roles=[role], **extra
        )
    issuer = os.environ.get("SAMLING_OIDC_ISSUER")
    if issuer:
        return provider_token(issuer, role)
    return mint_token(ServiceSettings(), roles=[Role(role)], **claims)  # type: ignore[arg-type]


def provider_token(issuer: str, role: str) -> str:
    """A demo user's token through the provider's sign-in, or the CLI client's own."""
    if role in DEMO_USERNAMES:
        return sign_in(issuer, DEMO_USERNAMES[role])["access_token"]
    client = next(c for c in DEMO_CLIENTS if role in c.roles)
    answer = httpx.post(
        f"{issuer}/token",
        data={"grant_type": "client_credentials"},
        auth=(client.client_id, client.secret),
        timeout=10,
    )
    answer.raise_for_status()
    token: str = answer.json()["access_token"]
    return token


@app.command()
def token(role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}")]) -> None:
    """Print a bearer token for a role: from the provider at SAMLING_OIDC_ISSUER when set
    (as under `samling-dev up`), else signed with the development key."""
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    typer.echo(dev_token(role))


@app.command()
def up() -> None:
    """Start Kafka, the store, Mailpit, the three services and the web app; stop everything
    on Ctrl-C."""
    stopping = False

    def interrupt(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    stack = Stack("dev")
    processes: list[ServiceProcess] = []
    mailpit = MailpitServer(
        int(os.environ.get("SAMLING_SMTP_PORT") or 1025),
        int(os.environ.get("SAMLING_SMTP_HTTP_PORT") or 8025),
        data_root("dev") / "mailpit",
        data_root("dev") / "logs",
        persistent=True,
    )
    oidc = OidcServer(OIDC_PORT, token_lifetime=timedelta(hours=1))
    try:
        with console.status("Starting PostgreSQL, FerretDB and Kafka…"):
            stack.start()
            asyncio.run(ensure_topics(stack.bootstrap))
        console.print(f"[green]✓[/] Kafka on {stack.bootstrap}, FerretDB on {stack.mongo_url}")
        mailpit.reap_stale()
        mailpit.start()
        mailpit.wait_ready()
        console.print(
            f"[green]✓[/] Mailpit: SMTP on {mailpit.host}:{mailpit.port}, "
            f"the demo's mails at {mailpit.web_url}"
        )
        oidc.start()
        console.print(f"[green]✓[/] OpenID Connect provider (RS256, JWKS) on {oidc.issuer}")
        urls = {spec.name: spec.url for spec in default_services()}
        for spec in default_services():
            env = {
                # The services verify the provider's tokens; the web app signs people in there.
                f"{spec.env_prefix}JWT_JWKS_URL": oidc.jwks_url,
                f"{spec.env_prefix}JWT_ISSUER": oidc.issuer,
                "SAMLING_WEB_OIDC_ISSUER": oidc.issuer,
                f"{spec.env_prefix}ENVIRONMENT": "development",
                f"{spec.env_prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
                f"{spec.env_prefix}MONGO_URL": stack.mongo_url,
                f"{spec.env_prefix}PUBLIC_URL": spec.url,
                "SAMLING_NOTIFICATIONS_SMTP_HOST": mailpit.host,
                "SAMLING_NOTIFICATIONS_SMTP_PORT": str(mailpit.port),
                "SAMLING_WEB_NETWORK_URL": urls["network"],
                "SAMLING_WEB_EVENTS_URL": urls["events"],
                "SAMLING_WEB_NOTIFICATIONS_URL": urls["notifications"],
                # Participants' private links open in the web app.
                "SAMLING_EVENTS_APP_URL": urls["web"],
            }
            processes.append(ServiceProcess(spec, env, data_root("dev") / "logs"))
        with console.status("Starting the services…"):
            for process in processes:
                process.start()
            for process in processes:
                process.wait_ready()
        from samling_network.demo import seed_demo

        network_url = next(p.spec.url for p in processes if p.spec.name == "network")
        console.print(
            *seed_demo(network_url, _seed_tokens(oidc.provider)), sep="\n", highlight=False
        )
        events_url = next(p.spec.url for p in processes if p.spec.name == "events")
        try:
            lines = seed_events_demo(
                network_url, events_url, dev_token("coordinator", oidc.provider)
            )
            console.print(*lines, sep="\n", highlight=False)
        except (httpx.HTTPError, StopIteration) as exc:
            console.print(f"[yellow]Events demo not seeded: {exc}[/]")
        _print_welcome(processes, oidc)
        while all(p.process is not None and p.process.poll() is None for p in processes):
            time.sleep(1)
        console.print("[red]A service stopped; see the logs in .local/dev/logs. Shutting down.[/]")
    except KeyboardInterrupt:
        console.print("\nStopping…")
    finally:
        for process in processes:
            process.stop()
        mailpit.stop()
        oidc.stop()
        stack.stop()
        console.print("Stopped.")


def _seed_tokens(provider: OidcProvider) -> Callable[..., str]:
    """The network demo's tokens, issued by the provider itself: the demo seeds memberships
    for every municipality, each by an administrator of its own."""

    def token_for(role: str, *, municipality_id: str | None = None) -> str:
        if role == "coordinator":
            return dev_token("coordinator", provider)
        claims: dict[str, Any] = {"roles": [str(role)]}
        if municipality_id:
            claims["municipality"] = municipality_id
        return provider.issue(f"u-admin-{municipality_id}", **claims)

    return token_for


def _print_welcome(processes: list[ServiceProcess], oidc: OidcServer) -> None:
    console.print("\n[bold green]Samling is running.[/] Try this:\n")
    web = next(p for p in processes if p.spec.name == "web")
    console.print(
        f"  [bold]{'web app':<14}[/] {web.spec.url}   (the event calendar and registration)"
    )
    for p in processes:
        if p is web:
            continue
        console.print(
            f"  [bold]{p.spec.name:<14}[/] API docs {p.spec.url}/docs   "
            f"AsyncAPI {p.spec.url}/asyncapi   health {p.spec.url}/readyz",
            soft_wrap=True,
        )
    console.print(
        f'\n  Sign in at {web.spec.url} ("Logg inn" in the header) on the provider\'s page '
        f"as one of these demo users, password [bold]{DEMO_PASSWORD}[/]:"
    )
    for user in DEMO_USERS:
        where = ", ".join(filter(None, [user.region, user.municipality]))
        console.print(
            f"  [bold]{user.username:<12}[/] {user.name}: {', '.join(user.roles)}"
            + (f" ({where})" if where else ""),
            highlight=False,
        )
    console.print(
        "\n  Bearer tokens from the provider (12 h; for more, "
        f"[bold]export SAMLING_OIDC_ISSUER={oidc.issuer}[/] and run "
        "[bold]uv run samling-dev token <role>[/]):"
    )
    for role in ROLES:
        token = dev_token(role, oidc.provider)
        console.print(f"  {role:<19}{token}", soft_wrap=True, highlight=False)
    console.print(
        "  Webhooks may point at this machine in development (http://127.0.0.1:<port>/…); "
        "production refuses loopback and private addresses."
    )
    console.print("  Logs: .local/dev/logs/   Press Ctrl-C to stop everything.\n")


def main() -> None:
    app()
