"""The scale benchmark's reads: each list, search, feed and inbox endpoint asked in turn, each
request timed and kept (its ordinal and its path with the ids), for ``scale.py`` (which loads
this file: scripts are no package).

A p95 over 20 requests is the second slowest: it cannot say by itself whether the slow ones
were the first request (a cold cache), the requests for one id, or spread out (a sweep
colliding with them). So the requests of a read cycle through ``ids`` networks, events,
municipalities and readers, every request is recorded, and :func:`slowest` shows the slowest
with their ordinal and path.
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from samling_devtools.benchmarking import bearer, percentile
from samling_devtools.infra import Stack
from samling_devtools.store_rows import PGSTAT_IDLE_INTERVAL_SECONDS, RowsRead, rows_read
from samling_runtime.auth import Role

REGION = "rkk-salten"
#: A read that took longer than the client's timeout: a result (on SQLite), shown as "> 60 s".
TIMED_OUT = math.inf
READ_TIMEOUT = 60.0
SHOWN = 3
"""How many of a read's slowest requests are printed."""

Headers = dict[str, str]


@dataclass(frozen=True)
class Read:
    """One endpoint: its label (ids as ``{network}`` etc.) and its ``i``-th request's path
    and headers."""

    service: str
    label: str
    request: Callable[[int], tuple[str, Headers]]

    @property
    def key(self) -> str:
        return f"{self.service} {self.label}"


def reads(year: Any, person: Callable[[int], tuple[str, str]], ids: int) -> list[Read]:
    """Every list, search, feed and inbox endpoint; request ``i`` asks about the ``i % ids``-th
    network, event (around the middle of the year), municipality and reader."""

    def network(i: int) -> str:
        return str(year.network_ids[i % ids])

    def event(i: int) -> str:
        return str(year.event_ids[len(year.event_ids) // 2 + i % ids])

    def municipality(i: int) -> str:
        return str(year.municipality_ids[i % ids])

    coordinator = bearer(Role.COORDINATOR, region_id=REGION)

    def admin(i: int) -> Headers:
        return bearer(Role.MUNICIPALITY_ADMIN, municipality_id=municipality(i))

    def reader(i: int) -> Headers:
        _, email = person(i % ids)
        return bearer(Role.PARTICIPANT, subject=f"bench-reader-{i % ids}", email=email)

    def read(service: str, label: str, who: Callable[[int], Headers] | None = None) -> Read:
        def request(i: int) -> tuple[str, Headers]:
            path = (
                label.replace("{network}", network(i))
                .replace("{event}", event(i))
                .replace("{municipality}", municipality(i))
            )
            return path, who(i) if who else coordinator

        return Read(service, label, request)

    return [
        read("network", "/regions"),
        read("network", "/municipalities"),
        read("network", "/municipalities/{municipality}/memberships"),
        read("network", "/networks"),
        read("network", "/networks?municipality_id={municipality}", admin),
        read("network", "/networks/{network}/memberships"),
        read("network", "/networks/{network}/announcements"),
        read("network", "/reports", admin),
        read("network", "/reports?q=lesing", admin),
        read("network", "/reports?network_id={network}", admin),
        read("events", "/events"),
        read("events", "/events?network_id={network}"),
        read("events", f"/events?region_id={REGION}"),
        read("events", "/events/{event}/registrations"),
        read("events", "/events/{event}/attendance"),
        read("events", "/calendars/networks/{network}.ics"),
        read("events", "/calendars/municipalities/{municipality}.ics"),
        read("notifications", "/inbox", reader),
        read("notifications", "/inbox?unread_only=true", reader),
        read("notifications", "/inbox/unread-count", reader),
        read("notifications", "/subscriptions", admin),
    ]


def chosen(key: str, only: list[str]) -> bool:
    """Whether ``--reads`` selects the read ``key`` (any of the given substrings; all when
    none is given)."""
    return not only or any(part in key for part in only)


async def timed_get(client: httpx.AsyncClient, url: str, headers: Headers) -> float:
    """Milliseconds to answer a GET with 200, or ``TIMED_OUT``."""
    t0 = time.perf_counter()
    try:
        answer = await client.get(url, headers=headers, timeout=READ_TIMEOUT)
    except httpx.TimeoutException:
        return TIMED_OUT
    assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
    return (time.perf_counter() - t0) * 1000


def ms(value: float) -> str:
    return f"> {READ_TIMEOUT:.0f} s" if value == TIMED_OUT else f"{value:,.0f} ms"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def slowest(requests: list[dict[str, Any]], shown: int = SHOWN) -> str:
    """The slowest of a read's requests, with their ordinal and path."""
    worst = sorted(requests, key=lambda r: -float(r["ms"]))[:shown]
    return ", ".join(f"{ms(r['ms'])} ({ordinal(r['n'])}: {r['path']})" for r in worst)


SERVICES = ("network", "events", "notifications")


@dataclass(frozen=True)
class Store:
    """The rows each service's database read in one phase (FerretDB keeps a database as a
    schema named after it, so a read is charged only what its own service's database read:
    another service's sweeps do not show in it)."""

    stack: Stack
    prefix: str

    async def settled_rows(self) -> dict[str, RowsRead]:
        if not self.stack.postgres.is_running:  # FerretDB on SQLite: no counters to read
            return {service: RowsRead(0, 0) for service in SERVICES}
        await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)  # see store_rows
        return {
            service: await asyncio.to_thread(
                rows_read, self.stack.postgres, f"{self.prefix}_{service}"
            )
            for service in SERVICES
        }

    async def background(self, name: str) -> dict[str, float]:
        """Rows read while nobody asks anything: the sweeps' share of every reading."""
        quiet = await self.settled_rows()
        later = await self.settled_rows()
        idle = {service: later[service] - quiet[service] for service in SERVICES}
        rows = sum(r.rows for r in idle.values())
        scans = sum(r.seq_scans for r in idle.values())
        each = ", ".join(f"{service} {r.rows}" for service, r in idle.items())
        note = " (each read's rows below include its service's share)" if rows else ""
        print(
            f"[{name}] rows read with no requests in {PGSTAT_IDLE_INTERVAL_SECONDS + 0.5:.1f} s: "
            f"{rows} ({scans} sequential scans; {each}){note}",
            flush=True,
        )
        return {
            "rows": rows,
            "seq_scans": scans,
            **{service: r.rows for service, r in idle.items()},
        }


@dataclass
class Measured:
    """What :func:`latencies` found: per read p50/p95, rows per request, every request."""

    reads: dict[str, tuple[float, float]]
    rows: dict[str, dict[str, float]]
    requests: dict[str, list[dict[str, Any]]]


async def latencies(
    urls: dict[str, str],
    all_reads: list[Read],
    requests: int,
    store: Store,
    only: list[str],
    name: str,
) -> Measured:
    """p50/p95 of each read, the rows the store read per request (see store_rows), and
    each request's time, ordinal and path; prints each read's slowest requests."""
    found = Measured({}, {}, {})
    before = await store.settled_rows()
    async with httpx.AsyncClient(timeout=60) as client:
        for read in all_reads:
            if not chosen(read.key, only):
                continue
            kept: list[dict[str, Any]] = []
            for i in range(requests):
                path, headers = read.request(i)
                took = await timed_get(client, urls[read.service] + path, headers)
                kept.append({"n": i + 1, "path": path, "ms": took})
                if took == TIMED_OUT:
                    break  # the next ones would time out too, a minute each
            took_sorted = sorted(float(r["ms"]) for r in kept)
            found.reads[read.key] = (
                statistics.median(took_sorted),
                percentile(took_sorted, 0.95),
            )
            found.requests[read.key] = kept
            after = await store.settled_rows()
            found.rows[read.key] = (after[read.service] - before[read.service]).per(requests)
            before = after
            p50, p95 = found.reads[read.key]
            rows = found.rows[read.key]
            print(
                f"[{name}] {read.key}: {ms(p50)} / {ms(p95)}, {rows['rows']:,.0f} rows per "
                f"request ({rows['seq_scans']:.1f} seq scans); slowest {slowest(kept)}",
                flush=True,
            )
    return found
