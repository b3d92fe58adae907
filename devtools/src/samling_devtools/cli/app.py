"""The ``samling`` command tree, put together from one module per group."""

from __future__ import annotations

import typer

from samling_devtools.cli.dev import dev_app
from samling_devtools.cli.events import events_app
from samling_devtools.cli.networks import networks_app
from samling_devtools.cli.registrations import registrations_app
from samling_devtools.cli.tail import tail_command
from samling_devtools.cli.tokens import token

app = typer.Typer(
    help="Samling for developers and coordinators: the local stack, topics, tokens and the "
    "service APIs.",
    no_args_is_help=True,
)
app.command("token")(token)
app.command("tail")(tail_command)
app.add_typer(networks_app, name="networks")
app.add_typer(events_app, name="events")
app.add_typer(registrations_app, name="registrations")
app.add_typer(dev_app, name="dev")


def main() -> None:
    app()
