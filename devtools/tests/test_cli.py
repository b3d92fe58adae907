"""The ``samling`` command tree: one CLI with the developer commands as the ``dev`` group, the
one token command."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from samling_devtools.cli.app import app
from samling_devtools.topics import topic_specs
from samling_runtime.auth import Role, TokenVerifier
from samling_runtime.settings import ServiceSettings
from typer.testing import CliRunner

runner = CliRunner()


# --- the command tree -----------------------------------------------------------------------


def test_one_cli_lists_every_group_and_the_developer_commands() -> None:
    root = runner.invoke(app, ["--help"])
    assert root.exit_code == 0, root.output
    for group in ("token", "tail", "networks", "events", "registrations", "dev"):
        assert f" {group} " in root.output
    dev = runner.invoke(app, ["dev", "--help"])
    assert dev.exit_code == 0, dev.output
    for command in ("up", "stack", "topics"):
        assert f" {command} " in dev.output


def test_dev_topics_lists_the_contracts_topics() -> None:
    result = runner.invoke(app, ["dev", "topics", "--list"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [spec.name for spec in topic_specs()]


def test_dev_stack_refuses_an_unknown_profile_before_starting_anything() -> None:
    result = runner.invoke(app, ["dev", "stack", "staging"])
    assert result.exit_code == 2
    assert "unknown profile 'staging'" in result.output


# --- token ----------------------------------------------------------------------------------


async def test_token_is_accepted_by_the_services_verifier() -> None:
    result = runner.invoke(app, ["token", "coordinator"])
    assert result.exit_code == 0
    principal = await TokenVerifier(ServiceSettings()).verify(result.output.strip())
    assert principal.roles == {Role.COORDINATOR}
    assert principal.region_id == "rkk-salten"
    refused = runner.invoke(app, ["token", "emperor"])
    assert refused.exit_code == 2
    assert "choose one of coordinator" in refused.output


async def test_token_as_a_header_carries_the_roles_claims() -> None:
    result = runner.invoke(app, ["token", "municipality_admin", "--header"])
    assert result.exit_code == 0, result.output
    prefix, token = result.output.strip().split("Bearer ")
    assert prefix == "Authorization: "
    principal = await TokenVerifier(ServiceSettings()).verify(token)
    assert principal.roles == {Role.MUNICIPALITY_ADMIN}
    assert principal.municipality_id == "NO-1804"


async def test_the_installed_command_prints_a_token_the_services_accept() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SAMLING_OIDC_ISSUER"}
    done = await asyncio.to_thread(
        subprocess.run,
        [str(Path(sys.executable).parent / "samling"), "token", "participant"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    principal = await TokenVerifier(ServiceSettings()).verify(done.stdout.strip())
    assert principal.roles == {Role.PARTICIPANT}
