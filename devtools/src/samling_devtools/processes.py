"""Local servers as plain child processes: paths, ports and process supervision.

There is no Docker engine on developer and CI machines, so the stack runs from artefacts that
``deploy/local/install.sh`` puts in a per-user cache. The servers themselves live in
``kafka_server``, ``store_servers`` and ``mailpit``; ``infra.Stack`` puts them together.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import IO, Any, TypeVar

__all__ = [
    "INSTALL_HINT",
    "InfraError",
    "ServerProcess",
    "cache_dir",
    "can_connect",
    "data_root",
    "free_port",
    "port_in_use",
    "repo_root",
    "run_sync",
]

INSTALL_HINT = "run deploy/local/install.sh"
_T = TypeVar("_T")


class InfraError(RuntimeError):
    """A local server could not be started or did not become ready."""


# --- paths --------------------------------------------------------------------


def repo_root() -> Path:
    """The checkout this package lives in (it is installed editable by uv)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "local" / "install.sh").is_file():
            return parent
    return Path.cwd()


def cache_dir() -> Path:
    """Shared artefact cache, outside the clone so fresh clones reuse it.

    Same rule as install.sh: ``$SAMLING_CACHE_DIR``, else
    ``${XDG_CACHE_HOME:-~/.cache}/samling``.
    """
    if env := os.environ.get("SAMLING_CACHE_DIR"):
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "samling"


def data_root(profile: str) -> Path:
    """Where a profile keeps server state: ``$SAMLING_DATA_DIR`` or ``<repo>/.local/<profile>``.

    ``.local/`` is git-ignored; profiles keep dev data apart from test data.
    """
    if env := os.environ.get("SAMLING_DATA_DIR"):
        return Path(env)
    return repo_root() / ".local" / profile


# --- ports ----------------------------------------------------------------------


def free_port() -> int:
    """An ephemeral TCP port that is free right now (racy, but fine for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something listens on ``port``.

    Binds with SO_REUSEADDR (as the servers do) so sockets lingering in
    TIME_WAIT after a restart do not count as "in use".
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def can_connect(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine from sync code, even when called inside a running event loop.

    Readiness probes use aiokafka (async) but ``wait_ready`` is sync so it can
    be used from sync fixtures and scripts; inside a loop we use a thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    result: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


# --- process handling -------------------------------------------------------------


class ServerProcess:
    """A server child process in its own session, with its output in a log file.

    Its own session/process group means Ctrl-C in the terminal does not kill
    it half-way, and stop()/kill() reach the whole group.
    """

    name = "server"
    display_name = "server"
    #: the signal of a graceful stop
    stop_signal = signal.SIGTERM

    def __init__(self, port: int, data_dir: Path, log_dir: Path) -> None:
        self.port = port
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        #: port -> environment variable that changes it, for "port in use" hints
        self.port_env: dict[int, str] = {}
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def out_file(self) -> Path:
        """File receiving the process' stdout and stderr."""
        return self.log_dir / f"{self.name}.out"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / f"{self.name}.pid"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _ports(self) -> list[int]:
        """Ports that must be free before start."""
        return [self.port]

    def _check_ports(self) -> None:
        for port in self._ports():
            if port_in_use(port):
                env = self.port_env.get(port)
                hint = f" or set {env}" if env else ""
                raise InfraError(f"port {port} in use: stop the other {self.display_name}{hint}")

    def _spawn(self, argv: list[str], cwd: Path, user: str | None = None) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.out_file.open("ab")
        self._log.write(f"\n--- {time.strftime('%F %T')} starting: {argv!r}\n".encode())
        self._log.flush()
        self._proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
        )
        self.pid_file.write_text(f"{self._proc.pid}\n")

    def reap_stale(self) -> None:
        """Kill a leftover process recorded in our pid file (e.g. after a crashed test run).

        Only kills it if its command line mentions our data dir, so a recycled
        pid belonging to something else is left alone.
        """
        try:
            pid = int(self.pid_file.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return
        if str(self.data_dir).encode() in cmdline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.1)

    def log_tail(self, lines: int = 40) -> str:
        """Last lines of the process output, for error messages."""
        try:
            text = self.out_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def _died(self) -> InfraError:
        code = self._proc.returncode if self._proc else None
        return InfraError(
            f"{self.name} exited with code {code} during start-up; "
            f"log {self.out_file}:\n{self.log_tail()}"
        )

    def _wait_until(self, probe: Any, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            if not self.is_running:
                raise self._died()
            try:
                if probe():
                    return
            except Exception as exc:  # not ready yet; keep polling
                last = exc
            time.sleep(0.25)
        raise InfraError(
            f"{self.name} not ready on port {self.port} after {timeout:.0f}s "
            f"(last error: {last!r}); log {self.out_file}:\n{self.log_tail()}"
        )

    def stop(self, timeout: float = 20.0) -> None:
        """Graceful stop: ``stop_signal``, then SIGKILL after ``timeout`` seconds."""
        self._signal_and_wait(self.stop_signal, timeout)

    def kill(self) -> None:
        """Immediate SIGKILL (simulates a crash)."""
        self._signal_and_wait(signal.SIGKILL, 10.0)

    def _signal_and_wait(self, sig: signal.Signals, timeout: float) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self.pid_file.unlink(missing_ok=True)
