"""``samling-dev``: run Samling locally and help developers poke at it."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Annotated

import httpx
import typer
from rich.console import Console

from samling_devtools.demo_events import seed_events_demo
from samling_devtools.infra import Stack, data_root
from samling_devtools.mailpit import MailpitServer
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


def dev_token(role: str) -> str:
    from samling_runtime.auth import Role, mint_token
    from samling_runtime.settings import ServiceSettings

    claims = ROLES[role]
    return mint_token(ServiceSettings(), roles=[Role(role)], **claims)  # type: ignore[arg-type]


@app.command()
def token(role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}")]) -> None:
    """Print a development bearer token for a role (signed with the development key)."""
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
        urls = {spec.name: spec.url for spec in default_services()}
        for spec in default_services():
            env = {
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
        console.print(*seed_demo(network_url), sep="\n", highlight=False)
        events_url = next(p.spec.url for p in processes if p.spec.name == "events")
        try:
            lines = seed_events_demo(network_url, events_url, dev_token("coordinator"))
            console.print(*lines, sep="\n", highlight=False)
        except (httpx.HTTPError, StopIteration) as exc:
            console.print(f"[yellow]Events demo not seeded: {exc}[/]")
        _print_welcome(processes)
        while all(p.process is not None and p.process.poll() is None for p in processes):
            time.sleep(1)
        console.print("[red]A service stopped; see the logs in .local/dev/logs. Shutting down.[/]")
    except KeyboardInterrupt:
        console.print("\nStopping…")
    finally:
        for process in processes:
            process.stop()
        mailpit.stop()
        stack.stop()
        console.print("Stopped.")


def _print_welcome(processes: list[ServiceProcess]) -> None:
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
        "\n  Development tokens (12 h; more with [bold]uv run samling-dev token <role>[/]):"
    )
    for role in ROLES:
        console.print(f"  {role:<19}{dev_token(role)}", soft_wrap=True, highlight=False)
    console.print(
        "  Webhooks may point at this machine in development (http://127.0.0.1:<port>/…); "
        "production refuses loopback and private addresses."
    )
    console.print("  Logs: .local/dev/logs/   Press Ctrl-C to stop everything.\n")


def main() -> None:
    app()
