"""The Dockerfile lints clean (hadolint), parses with Docker's own parser, and stays in step
with the uv workspace: every member's pyproject is copied before the locked install."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfile
import pytest
from samling_devtools.infra import repo_root

ROOT = repo_root()


@pytest.fixture(scope="module")
def stages() -> list[list[dockerfile.Command]]:
    result: list[list[dockerfile.Command]] = []
    for command in dockerfile.parse_file(str(ROOT / "Dockerfile")):
        if command.cmd == "FROM":
            result.append([])
        if result:
            result[-1].append(command)
    return result


def workspace_members() -> list[Path]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    members = config["tool"]["uv"]["workspace"]["members"]
    return sorted(p.relative_to(ROOT) for m in members for p in ROOT.glob(m))


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_build_installs_the_locked_service_only(stages: list[list[dockerfile.Command]]) -> None:
    build = next(s for s in stages if s[0].value[-1] == "build")
    copied = {c.value[0] for c in build if c.cmd == "COPY" and not c.flags}
    for member in workspace_members():
        assert f"{member}/pyproject.toml" in copied, f"{member} pyproject is not copied"
    syncs = [c.value[0] for c in build if c.cmd == "RUN" and c.value[0].startswith("uv sync")]
    assert len(syncs) == 2
    for sync in syncs:
        assert "--frozen" in sync
        assert "--no-dev" in sync
        assert '--package "samling-${SERVICE}"' in sync
    assert "--no-install-workspace" in syncs[0]  # dependencies layer, cached until uv.lock changes
    assert "--no-editable" in syncs[1]  # the runtime stage needs no source tree


def test_runtime_is_slim_unprivileged_and_healthchecked(
    stages: list[list[dockerfile.Command]],
) -> None:
    runtime = stages[-1]
    assert "slim" in runtime[0].value[0]
    users = [c.value[0] for c in runtime if c.cmd == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("0", "root")
    healthcheck = next(c for c in runtime if c.cmd == "HEALTHCHECK")
    assert "http://127.0.0.1:8000/healthz" in " ".join(healthcheck.value)
    cmd = " ".join(next(c for c in runtime if c.cmd == "CMD").value)
    assert "python -m samling_runtime.server" in cmd  # uvicorn, configured in one place
    assert "samling_${SAMLING_SERVICE}.main:create" in cmd
    assert "--host 0.0.0.0 --port 8000" in cmd
    copies = [c for c in runtime if c.cmd == "COPY"]
    # Nothing but the environment and the web app's pinned front-end assets (npm ci, no dev).
    assert [c.value[0] for c in copies] == ["/app/.venv", "/assets/node_modules"]


@pytest.mark.parametrize("service", ["network", "events", "notifications", "web"])
def test_every_service_has_the_factory_the_image_starts(service: str) -> None:
    main = ROOT / "services" / service / "src" / f"samling_{service}" / "main.py"
    assert "def create(" in main.read_text()


def test_dockerignore_lets_the_sources_in_and_keeps_the_rest_out() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    assert lines[0].startswith("#")
    assert "*" in lines
    for needed in ("uv.lock", "runtime/src/", "services/*/src/", "devtools/src/"):
        assert f"!{needed}" in lines
