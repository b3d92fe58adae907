"""A single-node Kafka in KRaft mode (broker and controller in one JVM), and topic creation."""

from __future__ import annotations

import asyncio
import base64
import shutil
import subprocess
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from samling_devtools.processes import (
    INSTALL_HINT,
    InfraError,
    ServerProcess,
    cache_dir,
    can_connect,
    repo_root,
    run_sync,
)

__all__ = ["KAFKA_VERSION", "KafkaServer", "TopicSpec", "create_topics"]

KAFKA_VERSION = "4.4.0"


def _kafka_cluster_id() -> str:
    """A Kafka-style cluster id (base64url of a random UUID, not starting with '-')."""
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


class KafkaServer(ServerProcess):
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
            raise InfraError(f"Kafka {KAFKA_VERSION} jars missing in {libs}: {INSTALL_HINT}")
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
        if not can_connect(self.port):
            return False
        return run_sync(_serves_groups(self.bootstrap))


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
        for topic_error in response.topic_errors:
            name, code = topic_error[0], topic_error[1]
            if code in (0, TopicAlreadyExistsError.errno):
                continue
            error_cls = for_code(code)
            raise error_cls(f"creating topic {name!r}: {topic_error[2:]}")
        await _until_led(admin, [t.name for t in new])
    finally:
        await admin.close()


async def _until_led(admin: AIOKafkaAdminClient, names: list[str], timeout: float = 30) -> None:
    """Wait until the broker's metadata lists every partition of ``names`` with a leader.

    CreateTopics answers before a busy broker's metadata has the new topics, and a client that
    looks them up in that moment (a producer, ``read_topic``) finds no partitions at all.
    """
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        described = await admin.describe_topics(names)
        pending = [
            t["topic"]
            for t in described
            if t["error_code"] != 0
            or not t["partitions"]
            or any(p["leader"] < 0 for p in t["partitions"])
        ]
        if not pending:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"topics without a leader after {timeout:.0f}s: {pending}")
        await asyncio.sleep(0.2)
