"""Local Kafka and FerretDB servers as plain child processes.

There is no Docker engine on developer and CI machines, so the stack runs from
artefacts that ``deploy/local/install.sh`` puts in a per-user cache: a Kafka
classpath (KRaft combined broker+controller, one node) and a FerretDB binary
with its SQLite backend. This module starts, probes and stops them; it is used
by the dev runner and by the pytest plugin (``samling_devtools.pytest_plugin``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self, TypeVar

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code
from pymongo import MongoClient

__all__ = [
    "KAFKA_VERSION",
    "FerretDBServer",
    "InfraError",
    "KafkaServer",
    "Stack",
    "TopicSpec",
    "cache_dir",
    "create_topics",
    "data_root",
    "free_port",
    "port_in_use",
    "profile_ports",
    "repo_root",
]

KAFKA_VERSION = "4.4.0"
_INSTALL_HINT = "run deploy/local/install.sh"
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


def _can_connect(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _run_sync(coro: Coroutine[Any, Any, _T]) -> _T:
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


class _ServerProcess:
    """A server child process in its own session, with its output in a log file.

    Its own session/process group means Ctrl-C in the terminal does not kill
    it half-way, and stop()/kill() reach the whole group.
    """

    name = "server"
    display_name = "server"

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

    def _spawn(self, argv: list[str], cwd: Path) -> None:
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
        """Graceful stop: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        self._signal_and_wait(signal.SIGTERM, timeout)

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


# --- Kafka --------------------------------------------------------------------


def _kafka_cluster_id() -> str:
    """A Kafka-style cluster id (base64url of a random UUID, not starting with '-')."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


class KafkaServer(_ServerProcess):
    """Single-node Kafka in KRaft combined mode (broker and controller in one JVM)."""

    name = "kafka"
    display_name = "Kafka"

    def __init__(self, port: int, controller_port: int, data_dir: Path, log_dir: Path) -> None:
        super().__init__(port, data_dir, log_dir)
        self.controller_port = controller_port
        self.port_env = {
            port: "SAMLING_KAFKA_PORT",
            controller_port: "SAMLING_KAFKA_CONTROLLER_PORT",
        }

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @staticmethod
    def libs_dir() -> Path:
        return cache_dir() / f"kafka-{KAFKA_VERSION}" / "libs"

    @staticmethod
    def log4j_config() -> Path:
        return repo_root() / "deploy" / "local" / "kafka" / "log4j2.yaml"

    def _ports(self) -> list[int]:
        return [self.port, self.controller_port]

    def _java(self) -> str:
        java = shutil.which("java")
        if java is None:
            raise InfraError("java not found: install a JDK 17+ (Kafka runs on the JVM)")
        libs = self.libs_dir()
        marker = libs.parent / ".complete"
        if not marker.is_file() or not (libs / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file():
            raise InfraError(f"Kafka {KAFKA_VERSION} jars missing in {libs}: {_INSTALL_HINT}")
        return java

    def _write_properties(self) -> Path:
        logs = self.data_dir / "kraft-logs"
        ctrl = f"127.0.0.1:{self.controller_port}"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://{ctrl}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "controller.quorum.bootstrap.servers": ctrl,
            "log.dirs": str(logs),
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "auto.create.topics.enable": "false",
        }
        path = self.data_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        return path

    def _format_storage(self, java: str, classpath: str, props: Path) -> None:
        """Format the KRaft log dir once; the cluster id is kept in the data dir."""
        if (self.data_dir / "kraft-logs" / "meta.properties").is_file():
            return
        id_file = self.data_dir / "cluster.id"
        if not id_file.is_file():
            id_file.write_text(_kafka_cluster_id() + "\n")
        cluster_id = id_file.read_text().strip()
        argv = [
            java,
            "-Xmx256m",
            "-cp",
            classpath,
            f"-Dlog4j2.configurationFile={self.log4j_config()}",
            f"-Dkafka.logs.dir={self.log_dir}",
            "kafka.tools.StorageTool",
            "format",
            "--standalone",
            "-t",
            cluster_id,
            "-c",
            str(props),
            "--ignore-formatted",
        ]
        res = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
        if res.returncode != 0:
            raise InfraError(f"kafka storage format failed:\n{res.stdout}\n{res.stderr}")

    def start(self) -> None:
        """Write server.properties, format storage if new, and launch the JVM."""
        if self.is_running:
            return
        java = self._java()
        self._check_ports()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        classpath = f"{self.libs_dir()}/*"
        props = self._write_properties()
        self._format_storage(java, classpath, props)
        self._spawn(
            [
                java,
                "-Xmx512m",
                "-Xms256m",
                "-XX:+UseSerialGC",
                "-Djava.awt.headless=true",
                "-cp",
                classpath,
                f"-Dlog4j2.configurationFile={self.log4j_config()}",
                f"-Dkafka.logs.dir={self.log_dir}",
                "kafka.Kafka",
                str(props),
            ],
            cwd=self.data_dir,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the broker answers a metadata request and coordinates consumer groups."""
        self._wait_until(self._probe, timeout)

    def _probe(self) -> bool:
        if not _can_connect(self.port):
            return False
        return _run_sync(_serves_groups(self.bootstrap))


async def _serves_groups(bootstrap: str) -> bool:
    """The broker is listed and a group coordinator is found: a fresh broker creates its
    offsets topic on the first lookup, and until then every consumer group that starts logs
    "coordinator not available" errors while it retries."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        meta: dict[str, Any] = await admin.describe_cluster()
        if not meta.get("brokers"):
            return False
        await admin.find_coordinator("samling-readiness-probe")  # raises until there is one
        return True
    finally:
        await admin.close()


@dataclass(frozen=True)
class TopicSpec:
    """A topic to create; replication is 1 on the local single broker."""

    name: str
    partitions: int = 3
    replication: int = 1
    configs: tuple[tuple[str, str], ...] = ()


async def create_topics(bootstrap: str, topics: Iterable[TopicSpec]) -> None:
    """Create topics, ignoring ones that already exist (auto-creation is off)."""
    new = [
        NewTopic(t.name, t.partitions, t.replication, topic_configs=dict(t.configs)) for t in topics
    ]
    if not new:
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        response = await admin.create_topics(new)
    finally:
        await admin.close()
    for topic_error in response.topic_errors:
        name, code = topic_error[0], topic_error[1]
        if code in (0, TopicAlreadyExistsError.errno):
            continue
        error_cls = for_code(code)
        raise error_cls(f"creating topic {name!r}: {topic_error[2:]}")


# --- FerretDB -------------------------------------------------------------------


class FerretDBServer(_ServerProcess):
    """FerretDB (MongoDB wire protocol) on its embedded SQLite backend."""

    name = "ferretdb"
    display_name = "FerretDB"

    def __init__(self, port: int, data_dir: Path, log_dir: Path) -> None:
        super().__init__(port, data_dir, log_dir)
        self.port_env = {port: "SAMLING_MONGO_PORT"}

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/"

    @staticmethod
    def binary() -> Path:
        return cache_dir() / "bin" / "ferretdb"

    def start(self) -> None:
        """Launch FerretDB; its SQLite files live directly in ``data_dir``."""
        if self.is_running:
            return
        binary = self.binary()
        if not os.access(binary, os.X_OK):
            raise InfraError(f"FerretDB binary missing at {binary}: {_INSTALL_HINT}")
        self._check_ports()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            [
                str(binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{self.data_dir}/",
                f"--state-dir={self.data_dir}",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--telemetry=disable",
                "--log-level=warn",
                "--debug-addr=-",  # no debug/metrics HTTP listener (avoids port clashes)
            ],
            cwd=self.data_dir,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until FerretDB answers ``ping``."""
        self._wait_until(self._probe, timeout)

    def _probe(self) -> bool:
        if not _can_connect(self.port):
            return False
        client: MongoClient[dict[str, Any]] = MongoClient(
            self.url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000
        )
        try:
            reply = client.admin.command("ping")
        finally:
            client.close()
        return bool(reply.get("ok"))


# --- Stack ----------------------------------------------------------------------

# profile -> (kafka, kafka controller, mongo): (env var, default)
_PORTS: dict[str, tuple[tuple[str, int], tuple[str, int], tuple[str, int]]] = {
    "dev": (
        ("SAMLING_KAFKA_PORT", 9092),
        ("SAMLING_KAFKA_CONTROLLER_PORT", 9093),
        ("SAMLING_MONGO_PORT", 27017),
    ),
    "test": (
        ("SAMLING_TEST_KAFKA_PORT", 19092),
        ("SAMLING_TEST_KAFKA_CONTROLLER_PORT", 19093),
        ("SAMLING_TEST_MONGO_PORT", 27117),
    ),
}


def profile_ports(profile: str) -> tuple[int, int, int]:
    """(kafka, kafka controller, mongo) ports of a profile, after env overrides."""
    try:
        spec = _PORTS[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected one of {sorted(_PORTS)}") from None
    kafka, ctrl, mongo = (int(os.environ.get(env) or default) for env, default in spec)
    return kafka, ctrl, mongo


class Stack:
    """FerretDB + Kafka for one profile, as a context manager.

    ``with Stack("dev") as s: ...`` starts both (in parallel: both are started
    before waiting) and stops them on exit. The "test" profile wipes its data
    dir first so each test session begins from an empty state.
    """

    def __init__(
        self,
        profile: str = "dev",
        *,
        kafka_port: int | None = None,
        controller_port: int | None = None,
        mongo_port: int | None = None,
        root: Path | None = None,
    ) -> None:
        kp, cp, mp = profile_ports(profile)
        (k_env, _), (c_env, _), (m_env, _) = _PORTS[profile]
        self.profile = profile
        self.root = root or data_root(profile)
        logs = self.root / "logs"
        self.kafka = KafkaServer(kafka_port or kp, controller_port or cp, self.root / "kafka", logs)
        self.kafka.port_env = {self.kafka.port: k_env, self.kafka.controller_port: c_env}
        self.ferretdb = FerretDBServer(mongo_port or mp, self.root / "ferretdb", logs)
        self.ferretdb.port_env = {self.ferretdb.port: m_env}

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def mongo_url(self) -> str:
        return self.ferretdb.url

    def start(self, timeout: float = 90.0) -> None:
        servers = (self.ferretdb, self.kafka)
        for server in servers:
            server.reap_stale()
        if self.profile == "test" and self.root.exists():
            shutil.rmtree(self.root)
        try:
            for server in servers:
                server.start()
            for server in servers:
                server.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.kafka.stop()
        self.ferretdb.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m samling_devtools.infra [dev|test]``: run a stack until Ctrl-C.

    Handy with ``SAMLING_TEST_EXTERNAL=1``: keep the test stack up between
    pytest runs instead of paying the JVM start-up every time.
    """
    import sys

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # Explicit handlers: SIGINT may be ignored when started in the background,
    # and SIGTERM must also stop the servers (they live in their own sessions).
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    args = sys.argv[1:] if argv is None else argv
    profile = args[0] if args else "dev"
    with contextlib.suppress(KeyboardInterrupt), Stack(profile) as stack:
        print(
            f"{profile} stack up: kafka={stack.bootstrap} mongo={stack.mongo_url} (Ctrl-C stops)",
            flush=True,
        )
        signal.pause()


if __name__ == "__main__":
    main()
