"""The services and the web app as local processes (uvicorn, configured by
``samling_runtime.server``), for ``make up`` and system tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass(frozen=True)
class ServiceProcessSpec:
    name: str
    factory: str
    port: int

    @property
    def env_prefix(self) -> str:
        return f"SAMLING_{self.name.upper()}_"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def default_services() -> list[ServiceProcessSpec]:
    return [
        ServiceProcessSpec(
            "network",
            "samling_network.main:create",
            int(os.environ.get("SAMLING_NETWORK_PORT", 8001)),
        ),
        ServiceProcessSpec(
            "events", "samling_events.main:create", int(os.environ.get("SAMLING_EVENTS_PORT", 8002))
        ),
        ServiceProcessSpec(
            "notifications",
            "samling_notifications.main:create",
            int(os.environ.get("SAMLING_NOTIFICATIONS_PORT", 8003)),
        ),
        # The web app on the notifications service's app_url, where the links in mail point.
        ServiceProcessSpec(
            "web", "samling_web.main:create", int(os.environ.get("SAMLING_WEB_PORT", 8000))
        ),
    ]


@dataclass
class ServiceProcess:
    spec: ServiceProcessSpec
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{self.spec.name}.log").open("ab")
        env = {**os.environ, **self.env}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "samling_runtime.server",
                self.spec.factory,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.spec.port),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = (self.log_dir / f"{self.spec.name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.spec.name} exited during start-up:\n{tail}")
            try:
                if httpx.get(f"{self.spec.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(
            f"{self.spec.name} was not ready within {timeout}s "
            f"(see {self.log_dir / (self.spec.name + '.log')})"
        )

    def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
