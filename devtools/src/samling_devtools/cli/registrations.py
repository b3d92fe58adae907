"""``samling registrations``: an event's registrations and its waiting list."""

from __future__ import annotations

from typing import Annotated

import typer

from samling_devtools.cli import output
from samling_devtools.cli.api_client import RoleOption, TokenOption, api_for, call

registrations_app = typer.Typer(help="Registrations and waiting lists.", no_args_is_help=True)


@registrations_app.command("list")
def registrations_list(
    event_id: Annotated[str, typer.Argument(help="Event id.")],
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """Show an event's registrations and its waiting list (in arrival order)."""
    api = api_for("events", token, role)
    items = call(lambda: api.pages(f"/events/{event_id}/registrations"))
    waiting = [i for i in items if i.get("status") == "waitlisted"]
    others = [i for i in items if i.get("status") != "waitlisted"]
    for position, item in enumerate(waiting, start=1):
        item["position"] = position
    columns = ["id", "name", "municipality_id"]
    output.console.print(
        output.table(f"Registrations for {event_id}", others, [*columns, "status", "seat_no"])
    )
    output.console.print(output.table("Waiting list", waiting, ["position", *columns]))
