"""``samling networks``: learning networks, from the network service."""

from __future__ import annotations

from typing import Annotated

import typer

from samling_devtools.cli import output
from samling_devtools.cli.api_client import RoleOption, TokenOption, api_for, call

networks_app = typer.Typer(help="Learning networks (network service).", no_args_is_help=True)


@networks_app.command("list")
def networks_list(
    region: Annotated[str | None, typer.Option(help="Only this region's networks.")] = None,
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """List learning networks."""
    api = api_for("network", token, role)
    params = {"region_id": region} if region else {}
    items = call(lambda: api.pages("/networks", params))
    output.console.print(
        output.table("Networks", items, ["id", "name", "region_id", "field", "archived"])
    )
