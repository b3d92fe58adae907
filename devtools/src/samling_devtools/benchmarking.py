"""Helpers for the benchmarks: where the CPU time went, per process; the stack, services and
tokens they start with."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psutil
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

from samling_devtools.infra import Stack, free_port, repo_root
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.store_servers import SqliteFerretDBServer, SqliteStoreServers


@dataclass
class CpuUsage:
    """CPU seconds (user + system) each process spends from :meth:`of` until :meth:`since`.

    On a 2-core machine the processes of a benchmark compete for the same cores, so the CPU
    each spends per unit of work says more about the limit than any one latency does."""

    processes: dict[str, psutil.Process]
    start: dict[str, float]
    finished_children: str | None = None
    """A name for child processes of this one that run and exit in between (a load generator)."""

    @classmethod
    def of(cls, pids: dict[str, int | None], *, finished_children: str | None = None) -> CpuUsage:
        processes = {name: psutil.Process(pid) for name, pid in pids.items() if pid}
        if finished_children:
            processes[finished_children] = psutil.Process()
        return cls(processes, {n: _cpu(p) for n, p in processes.items()}, finished_children)

    def since(self) -> dict[str, float]:
        return {name: _cpu(p) - self.start[name] for name, p in self.processes.items()}

    def per(self, units: int, what: str) -> str:
        """E.g. ``CPU per e-mail: notifications 1.20 ms, ferretdb 0.80 ms``."""
        spent = self.since()
        return f"CPU per {what}: " + ", ".join(
            f"{name} {seconds / units * 1000:.2f} ms" for name, seconds in spent.items()
        )


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    if process.pid == os.getpid():
        return times.children_user + times.children_system
    return times.user + times.system


class ProcessTree:
    """CPU seconds of a process and its live children (PostgreSQL: the postmaster and the
    backends serving FerretDB's connections, which live as long as its pool)."""

    def __init__(self, pid: int | None) -> None:
        self.root = psutil.Process(pid) if pid else None
        self.start = self.seconds()

    def seconds(self) -> float:
        if self.root is None:
            return 0.0
        total = 0.0
        for process in [self.root, *self.root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def per(self, units: int) -> str:
        if self.root is None:
            return ""
        return f", postgresql {(self.seconds() - self.start) / units * 1000:.2f} ms"


async def settle(
    pids: dict[str, int | None],
    *,
    busy: float = 0.15,
    quiet_for: float = 5.0,
    timeout: float = 600.0,
) -> tuple[float, dict[str, float]]:
    """Wait until these processes (with their children) together use less than ``busy`` of
    one core for ``quiet_for`` seconds: after a bulk load PostgreSQL's autovacuum and the
    services' start-up work (indexes, catch-up) would otherwise be measured as the reads'
    cost. Returns the seconds waited and the CPU seconds each spent meanwhile."""
    trees = {name: ProcessTree(pid) for name, pid in pids.items() if pid}
    loop = asyncio.get_running_loop()
    began = last = loop.time()
    previous = {name: tree.seconds() for name, tree in trees.items()}
    quiet_since: float | None = None
    while loop.time() - began < timeout:
        await asyncio.sleep(1.0)
        now = loop.time()
        current = {name: tree.seconds() for name, tree in trees.items()}
        used = sum(current[n] - previous[n] for n in trees) / (now - last)
        previous, last = current, now
        if used >= busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            break
    return loop.time() - began, {n: t.seconds() - t.start for n, t in trees.items()}


def bearer(role: Role, **claims: Any) -> dict[str, str]:
    """An Authorization header with a token of ``role`` (subject ``bench-<role>`` unless
    given)."""
    subject = claims.pop("subject", f"bench-{role}")
    token = mint_token(ServiceSettings(), subject=subject, roles=[role], **claims)
    return {"Authorization": f"Bearer {token}"}


def service_env(service: str, stack: Stack, db: str, group: str, **settings: str) -> dict[str, str]:
    """The environment of a service process on ``stack``: test profile, database ``db``,
    consumer group ``group``, quiet logs, and more ``settings`` (without the service's prefix,
    e.g. ``SMTP_PORT="2525"``)."""
    env = {
        "ENVIRONMENT": "test",
        "KAFKA_BOOTSTRAP": stack.bootstrap,
        "MONGO_URL": stack.mongo_url,
        "MONGO_DB": db,
        "CONSUMER_GROUP": group,
        "LOG_LEVEL": "WARNING",
        **settings,
    }
    return {f"SAMLING_{service.upper()}_{key}": value for key, value in env.items()}


def isolated_stack(prefix: str, *, store: str = "postgresql") -> Stack:
    """A test-profile Stack on free ports in a fresh temporary folder (not started), so a
    benchmark never meets a developer's or a test session's servers. ``store="sqlite"`` puts
    FerretDB on its SQLite backend instead of PostgreSQL (the store before #14)."""
    if store not in ("postgresql", "sqlite"):
        raise ValueError(f"unknown store {store!r}; expected 'postgresql' or 'sqlite'")
    root = Path(tempfile.mkdtemp(prefix=prefix))
    stack = Stack(
        "test",
        kafka_port=free_port(),
        controller_port=free_port(),
        mongo_port=free_port(),
        postgres_port=free_port(),
        root=root,
    )
    stack.ferretdb.debug_port = free_port()  # its command counters (store_rows.commands)
    if store == "sqlite":
        ferretdb = SqliteFerretDBServer(stack.ferretdb.port, root / "ferretdb", root / "logs")
        ferretdb.port_env = stack.ferretdb.port_env
        stack.ferretdb = ferretdb
        stack.store = SqliteStoreServers(stack.postgres, ferretdb)
    return stack


@contextlib.contextmanager
def running_store(prefix: str) -> Iterator[Stack]:
    """The store alone (PostgreSQL + FerretDB, no Kafka) of an :func:`isolated_stack`, started,
    for a benchmark that drives repositories in-process; stopped and its folder removed (a
    loaded store is gigabytes) at the end."""
    stack = isolated_stack(prefix)
    shutil.rmtree(stack.root)  # as Stack.start: the store makes its folders itself
    stack.store.start()
    try:
        stack.store.wait_ready()
        yield stack
    finally:
        stack.store.stop()
        shutil.rmtree(stack.root, ignore_errors=True)


@contextlib.contextmanager
def running_stack(prefix: str) -> Iterator[tuple[Stack, list[ServiceProcess]]]:
    """An :func:`isolated_stack`, started, and the list of the service processes a benchmark
    starts on it: all stopped at the end, the services first."""
    stack = isolated_stack(prefix)
    print(f"starting Kafka + FerretDB in {stack.root} ...", flush=True)
    stack.start()
    services: list[ServiceProcess] = []
    try:
        yield stack, services
    finally:
        for service in services:
            service.stop()
        stack.stop()


async def start_service(
    services: list[ServiceProcess],
    name: str,
    factory: str,
    env: dict[str, str],
    logs: Path,
    *,
    port: int | None = None,
    timeout: float = 120,
) -> ServiceProcess:
    """A service process on ``port`` (a free one unless given), started and answering.

    It joins ``services`` before it is ready, so it is stopped with them even when it never
    gets there. Start them one at a time: FerretDB dislikes concurrent index creation."""
    service = ServiceProcess(ServiceProcessSpec(name, factory, port or free_port()), env, logs)
    services.append(service)
    service.start()
    await asyncio.to_thread(service.wait_ready, timeout)
    return service


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted ``ordered`` (nearest rank, rounded down)."""
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def sibling(path: str) -> ModuleType:
    """A benchmark script of a service (by its path in the repository), for its load
    generators: scripts are no package."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, repo_root() / path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its pydantic models resolve their annotations there
    spec.loader.exec_module(module)
    return module
