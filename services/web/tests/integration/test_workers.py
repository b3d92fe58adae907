"""The web app served by as many processes as ``SAMLING_WEB_WORKERS`` says, on one port, as
``make up``, the benchmark and the image start it (``python -m samling_runtime.server``)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from samling_devtools.infra import free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec


def _children(pid: int) -> list[str]:
    """The command lines of a process's children (from /proc: Linux, as the project's hosts)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # it ended while being read
            continue
        # The parent's pid is the second field after the command's name in parentheses.
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(cmdline)
    return found


def _serve(tmp_path: Path, workers: int) -> tuple[ServiceProcess, list[str]]:
    port = free_port()
    env = {"SAMLING_WEB_ENVIRONMENT": "test", "SAMLING_WEB_WORKERS": str(workers)}
    service = ServiceProcess(ServiceProcessSpec("web", "samling_web.main:create", port), env,
                             tmp_path)  # fmt: skip
    service.start()
    assert service.process is not None
    deadline = time.monotonic() + 60
    answered = 0
    while answered < 10 and time.monotonic() < deadline:  # every worker up, one at a time
        assert service.process.poll() is None, (tmp_path / "web.log").read_text()
        try:
            answered += httpx.get(f"{service.spec.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            time.sleep(0.2)
    assert answered == 10, (tmp_path / "web.log").read_text()
    return service, [c for c in _children(service.process.pid) if "spawn_main" in c]


@pytest.mark.integration
def test_two_workers_serve_the_web_app_on_one_port(tmp_path: Path) -> None:
    service, workers = _serve(tmp_path, 2)
    try:
        assert len(workers) == 2, workers
    finally:
        service.stop()


@pytest.mark.integration
def test_one_worker_is_the_process_itself(tmp_path: Path) -> None:
    service, workers = _serve(tmp_path, 1)
    try:
        assert workers == []
    finally:
        service.stop()
