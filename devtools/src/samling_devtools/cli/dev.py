"""``samling dev``: run Samling on this machine: the whole stack with demo data, only Kafka and
the store (for tests), or only the topics."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

import httpx
import typer

from samling_devtools import topics
from samling_devtools.cli import output
from samling_devtools.cli.tokens import ROLES, dev_token
from samling_devtools.demo_events import seed_events_demo
from samling_devtools.infra import Stack, data_root
from samling_devtools.mailpit import MailpitServer
from samling_devtools.oidc import DEMO_PASSWORD, DEMO_USERS, OidcProvider, OidcServer
from samling_devtools.services import ServiceProcess, default_services

dev_app = typer.Typer(
    help="Run Samling locally: the whole stack, Kafka and the store alone, the topics.",
    no_args_is_help=True,
)


OIDC_PORT = int(os.environ.get("SAMLING_OIDC_PORT") or 8009)


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt, once: SIGINT may be ignored when started in
    the background, and SIGTERM must stop the servers too (they live in their own sessions)."""
    stopping = False

    def interrupt(signum: int, frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)


@dev_app.command()
def up() -> None:
    """Start Kafka, the store, Mailpit, the services and the web app, with demo data.

    Ctrl-C stops everything. Each port can be moved with an environment variable:
    SAMLING_{KAFKA,KAFKA_CONTROLLER,MONGO,POSTGRES,SMTP,SMTP_HTTP,OIDC}_PORT and
    SAMLING_{NETWORK,EVENTS,NOTIFICATIONS,WEB}_PORT; the data goes to SAMLING_DATA_DIR.
    """
    stop_on_signals()
    servers = Stack("dev")
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
        with output.console.status("Starting PostgreSQL, FerretDB and Kafka…"):
            servers.start()
            asyncio.run(topics.ensure_topics(servers.bootstrap))
        output.console.print(
            f"[green]✓[/] Kafka on {servers.bootstrap}, FerretDB on {servers.mongo_url}"
        )
        mailpit.reap_stale()
        mailpit.start()
        mailpit.wait_ready()
        output.console.print(
            f"[green]✓[/] Mailpit: SMTP on {mailpit.host}:{mailpit.port}, "
            f"the demo's mails at {mailpit.web_url}"
        )
        oidc.start()
        output.console.print(f"[green]✓[/] OpenID Connect provider (RS256, JWKS) on {oidc.issuer}")
        urls = {spec.name: spec.url for spec in default_services()}
        for spec in default_services():
            env = {
                # The services verify the provider's tokens; the web app signs people in there.
                f"{spec.env_prefix}JWT_JWKS_URL": oidc.jwks_url,
                f"{spec.env_prefix}JWT_ISSUER": oidc.issuer,
                "SAMLING_WEB_OIDC_ISSUER": oidc.issuer,
                f"{spec.env_prefix}ENVIRONMENT": "development",
                f"{spec.env_prefix}KAFKA_BOOTSTRAP": servers.bootstrap,
                f"{spec.env_prefix}MONGO_URL": servers.mongo_url,
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
        with output.console.status("Starting the services…"):
            for process in processes:
                process.start()
            for process in processes:
                process.wait_ready()
        from samling_network.demo import seed_demo

        network_url = next(p.spec.url for p in processes if p.spec.name == "network")
        output.console.print(
            *seed_demo(network_url, _seed_tokens(oidc.provider)), sep="\n", highlight=False
        )
        events_url = next(p.spec.url for p in processes if p.spec.name == "events")
        try:
            lines = seed_events_demo(
                network_url, events_url, dev_token("coordinator", oidc.provider)
            )
            output.console.print(*lines, sep="\n", highlight=False)
        except (httpx.HTTPError, StopIteration) as exc:
            output.console.print(f"[yellow]Events demo not seeded: {exc}[/]")
        _print_welcome(processes, oidc)
        while all(p.process is not None and p.process.poll() is None for p in processes):
            time.sleep(1)
        output.console.print(
            "[red]A service stopped; see the logs in .local/dev/logs. Shutting down.[/]"
        )
    except KeyboardInterrupt:
        output.console.print("\nStopping…")
    finally:
        for process in processes:
            process.stop()
        mailpit.stop()
        oidc.stop()
        servers.stop()
        output.console.print("Stopped.")


@dev_app.command()
def stack(
    profile: Annotated[
        str, typer.Argument(help="dev (make up's ports) or test (the pytest plugin's).")
    ] = "dev",
) -> None:
    """Run only Kafka and the store until Ctrl-C.

    With `test`, keep the test servers up between runs of
    `SAMLING_TEST_EXTERNAL=1 uv run pytest ...` instead of paying the JVM start-up each time.
    """
    stop_on_signals()
    try:
        servers = Stack(profile)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="PROFILE") from None
    with contextlib.suppress(KeyboardInterrupt), servers:
        typer.echo(
            f"{profile} stack up: kafka={servers.bootstrap} mongo={servers.mongo_url} "
            f"postgres={servers.postgres.url()} (Ctrl-C stops)"
        )
        signal.pause()


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
    output.console.print("\n[bold green]Samling is running.[/] Try this:\n")
    web = next(p for p in processes if p.spec.name == "web")
    output.console.print(
        f"  [bold]{'web app':<14}[/] {web.spec.url}   (the event calendar and registration)"
    )
    for p in processes:
        if p is web:
            continue
        output.console.print(
            f"  [bold]{p.spec.name:<14}[/] API docs {p.spec.url}/docs   "
            f"AsyncAPI {p.spec.url}/asyncapi   health {p.spec.url}/readyz",
            soft_wrap=True,
        )
    output.console.print(
        f'\n  Sign in at {web.spec.url} ("Logg inn" in the header) on the provider\'s page '
        f"as one of these demo users, password [bold]{DEMO_PASSWORD}[/]:"
    )
    for user in DEMO_USERS:
        where = ", ".join(filter(None, [user.region, user.municipality]))
        output.console.print(
            f"  [bold]{user.username:<12}[/] {user.name}: {', '.join(user.roles)}"
            + (f" ({where})" if where else ""),
            highlight=False,
        )
    output.console.print(
        "\n  Bearer tokens from the provider (12 h; for more, "
        f"[bold]export SAMLING_OIDC_ISSUER={oidc.issuer}[/] and run "
        "[bold]uv run samling token <role>[/]):"
    )
    for role in ROLES:
        token = dev_token(role, oidc.provider)
        output.console.print(f"  {role:<19}{token}", soft_wrap=True, highlight=False)
    output.console.print(
        "  Webhooks may point at this machine in development (http://127.0.0.1:<port>/…); "
        "production refuses loopback and private addresses."
    )
    output.console.print("  Logs: .local/dev/logs/   Press Ctrl-C to stop everything.\n")


# `python -m samling_devtools.topics` stays the image's entry point (docker compose, k8s Job).
dev_app.command("topics")(topics.main)
