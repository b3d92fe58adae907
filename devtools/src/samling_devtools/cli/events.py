"""``samling events``: schedule events and dialogue conferences in the events service."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.json import JSON
from rich.panel import Panel

from samling_devtools.cli import output
from samling_devtools.cli.api_client import RoleOption, TokenOption, api_for, call

events_app = typer.Typer(help="Events and dialogue conferences.", no_args_is_help=True)


TEMPLATES: dict[str, timedelta] = {
    "one_day": timedelta(hours=6),  # all four parts in five to six hours
    "two_days": timedelta(hours=30),  # 09:00 the first day to 15:00 the next
    "short_afternoon": timedelta(hours=3),  # parts 2 and 3; 1 and 4 as pre-/follow-up work
}
"""Dialogue conference shapes (docs: DOMAIN.md) and how long each lasts."""


def _aware(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise typer.BadParameter(
            f"{option}: give a time with its offset, e.g. 2027-02-10T09:00+01:00"
        )
    return parsed


@events_app.command("schedule")
def events_schedule(
    title: Annotated[str, typer.Option(help="Title of the event.")],
    starts_at: Annotated[str, typer.Option(help="Start, ISO 8601 with offset.")],
    template: Annotated[
        str, typer.Option(help=f"Shape: {', '.join(TEMPLATES)}; sets the end.")
    ] = "one_day",
    ends_at: Annotated[
        str | None, typer.Option(help="End, instead of the template's length.")
    ] = None,
    kind: Annotated[str, typer.Option(help="Kind of event.")] = "dialogue_conference",
    network: Annotated[str | None, typer.Option(help="Owning network id.")] = None,
    capacity: Annotated[int, typer.Option(help="Seats in total.")] = 60,
    venue: Annotated[str | None, typer.Option(help="Venue address.")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone.")] = "Europe/Oslo",
    publish: Annotated[
        bool, typer.Option("--publish/--draft", help="Open registration at once.")
    ] = True,
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """Schedule an event from a template (POST /events with an Idempotency-Key, then publish)."""
    if template not in TEMPLATES:
        raise typer.BadParameter(f"unknown template {template!r}; choose {', '.join(TEMPLATES)}")
    start = _aware(starts_at, "--starts-at")
    end = _aware(ends_at, "--ends-at") if ends_at else start + TEMPLATES[template]
    api = api_for("events", token, role)
    body = {
        "kind": kind,
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "timezone": timezone,
        "capacity": capacity,
        "network_id": network,
        "venue": venue,
    }
    body = {k: v for k, v in body.items() if v is not None}

    async def schedule() -> Any:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        created = await api.request("POST", "/events", json=body, headers=key)
        if publish:
            created = await api.request("POST", f"/events/{created['id']}/publish")
        return created

    created = call(schedule)
    output.console.print(Panel(JSON(json.dumps(created, ensure_ascii=False)), title="Scheduled"))
