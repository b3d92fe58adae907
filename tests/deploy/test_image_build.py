"""The image build, without a Docker engine: the Dockerfile's build stage replayed on the host.

The build context is filtered by ``.dockerignore`` (Docker's rules: later patterns win, a
matching directory covers its contents), the build stage's ``COPY`` and ``RUN uv sync``
instructions run in that order in a scratch directory, from uv's warm cache and offline. The
resulting virtual environment, which is all the runtime stage copies, must then start the
service with the image's command and answer ``/readyz`` against the real Kafka and FerretDB.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dockerfile
import httpx
import pytest
from samling_contracts.topics import ALL_TOPICS
from samling_devtools.infra import Stack, free_port, repo_root
from samling_devtools.testing import start_at_end

ROOT = repo_root()
pytestmark = pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not installed")


# --- .dockerignore ------------------------------------------------------------------------


def _pattern(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern(line.lstrip("!").strip("/"))))
    return rules


def in_context(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    included = True
    for negated, pattern in rules:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            included = negated
    return included


def context_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rules = dockerignore_rules()
    return [p for p in listed if (ROOT / p).is_file() and in_context(p, rules)]


def test_context_holds_sources_and_no_tests_or_local_state() -> None:
    files = context_files()
    assert "uv.lock" in files
    assert "services/events/src/samling_events/main.py" in files
    assert "devtools/src/samling_devtools/topics.py" in files
    assert not [f for f in files if "/tests/" in f or f.startswith(("tests/", ".local/", "docs/"))]
    assert "Dockerfile" not in files


# --- replaying the build stage ------------------------------------------------------------


def build_stage() -> list[dockerfile.Command]:
    commands = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    start = next(i for i, c in enumerate(commands) if c.cmd == "FROM" and c.value[-1] == "build")
    end = next(i for i, c in enumerate(commands) if i > start and c.cmd == "FROM")
    return list(commands[start:end])


def copy_into(sources: list[str], dest: str, workdir: Path, files: list[str]) -> None:
    """Docker's COPY: a file goes into ``dest/`` by name, a directory's contents into ``dest``."""
    for source in sources:
        prefix = source.rstrip("/")
        if prefix in files:
            into_dir = dest.endswith("/") or dest in (".", "./")
            pairs = [(prefix, workdir / dest / Path(prefix).name if into_dir else workdir / dest)]
        else:
            pairs = [
                (f, workdir / dest / f[len(prefix) + 1 :])
                for f in files
                if f.startswith(prefix + "/")
            ]
        assert pairs, f"COPY {source}: nothing in the build context"
        for file, target in pairs:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / file, target)


def replay_build(service: str, scratch: Path) -> Path:
    """Run the build stage for ``service``; returns the virtual environment it made."""
    workdir, venv = scratch / "src", scratch / "venv"
    workdir.mkdir(parents=True)
    files = context_files()
    env = {
        **os.environ,
        "SERVICE": service,
        "UV_PROJECT_ENVIRONMENT": str(venv),
        "UV_PYTHON_DOWNLOADS": "0",
        "UV_PYTHON": sys.executable,
        "UV_OFFLINE": "1",
        "UV_LINK_MODE": "hardlink",
        "VIRTUAL_ENV": "",
    }
    for command in build_stage():
        if command.cmd == "COPY" and not any(f.startswith("--from") for f in command.flags):
            *sources, dest = command.value
            copy_into(sources, dest, workdir, files)
        elif command.cmd == "RUN" and "uv sync" in command.value[0]:
            result = subprocess.run(
                ["bash", "-c", command.value[0]],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=300,
            )
            assert result.returncode == 0, result.stderr
    return venv


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("image")


def image_command() -> str:
    runtime = dockerfile.parse_file(str(ROOT / "Dockerfile"))
    cmd = [c for c in runtime if c.cmd == "CMD"][-1]
    assert cmd.value[:2] == ("sh", "-c")
    return str(cmd.value[2])


@pytest.mark.parametrize("service", ["network", "events", "notifications"])
@pytest.mark.integration
def test_the_built_environment_runs_the_service(
    service: str, scratch: Path, stack: Stack, topics: str
) -> None:
    venv = replay_build(service, scratch / service)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.util as u; print([m for m in "
            "('samling_network','samling_events','samling_notifications','samling_devtools',"
            "'pytest','ruff') if u.find_spec(m)])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert installed == repr([f"samling_{service}"]), "only the service, no dev tools"
    # Not editable: the sources of the scratch build are not needed at run time.
    shutil.rmtree(scratch / service / "src")

    port = free_port()
    prefix = f"SAMLING_{service.upper()}_"
    command = (
        image_command().replace("--port 8000", f"--port {port}").replace("0.0.0.0", "127.0.0.1")
    )
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "SAMLING_SERVICE": service,
        f"{prefix}ENVIRONMENT": "development",
        f"{prefix}KAFKA_BOOTSTRAP": stack.bootstrap,
        f"{prefix}MONGO_URL": stack.mongo_url,
        f"{prefix}MONGO_DB": f"image_{service}_{uuid.uuid4().hex[:8]}",
        f"{prefix}CONSUMER_GROUP": f"image-{service}-{uuid.uuid4().hex[:8]}",
    }
    # Late in a full run the topics hold every earlier test's facts; a service catching up
    # through them is slow to stop, and this test is about the image's environment.
    asyncio.run(
        start_at_end(stack.bootstrap, env[f"{prefix}CONSUMER_GROUP"], [t.name for t in ALL_TOPICS])
    )
    # A file, not a pipe: a service reading a long topic history logs more than a pipe holds,
    # and would block on a full pipe nobody reads.
    log_path = scratch / f"{service}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(["sh", "-c", command], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 150
        while True:
            assert process.poll() is None, log_path.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "not ready within 150 s"
            time.sleep(0.3)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").json() == {"status": "ok"}
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise AssertionError(
                "did not stop within 60 s of SIGTERM:\n"
                + log_path.read_text(errors="replace")[-3000:]
            ) from None


@pytest.mark.integration
def test_the_devtools_environment_runs_topic_init(scratch: Path) -> None:
    venv = replay_build("devtools", scratch / "devtools")
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "samling_devtools.topics", "--list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "samling.events.registrations.dlq" in result.stdout.split()
    # The image's one command line, without the dev dependencies: it must at least start.
    cli = subprocess.run(
        [str(venv / "bin" / "samling"), "dev", "topics", "--list"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.split() == result.stdout.split()
