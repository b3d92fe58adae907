# ruff: noqa: ASYNC110 - a benchmark script: polling is fine
"""Scale benchmark (#14, item 3): a year of a large region in the store, then every read.

Loads a year of a large region straight into the store through the services' own
repositories (``AggregateStore`` and the services' collections): 50 municipalities, 30
networks, 2,000 events, 200,000 registrations, 20,000 reports and 2,000,000 notices and inbox
entries (``--scale`` takes a fraction of the counts that grow with use). Then it measures, in
the same run, on an empty store and on the loaded one:

- p50/p95 of every list, search, feed and inbox endpoint (sequential requests: latency, not
  throughput), and the rows PostgreSQL read per request of each (``samling_devtools.store_rows``:
  a measure the machine's other work does not move, as it moves latencies tenfold; each reading
  waits 10.5 s for PostgreSQL to publish its counters, and the rows read in such a window with
  no requests are printed as the background's share; a read is charged its own service's
  database only), and every request's time with its ordinal and path (``scale_reads.py``);
- the registration rush (``services/events/benchmarks/registration_rush.py``'s vegeta run);
- the fan-out of one new event to a network's contact persons, to inbox and to Mailpit.

Goal: every read p95 <= 50 ms; the rush and the fan-out within 20 % of the empty store's.

    make bench-scale                                   # the full year
    uv run python benchmarks/scale.py --scale 0.1      # a tenth of it
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from samling_devtools.benchmarking import (
    bearer,
    isolated_stack,
    service_env,
    settle,
    sibling,
    start_service,
)
from samling_devtools.infra import Stack, free_port, repo_root
from samling_devtools.mailpit import MailpitServer
from samling_devtools.services import ServiceProcess
from samling_devtools.store_rows import PGSTAT_IDLE_INTERVAL_SECONDS
from samling_devtools.testing import ensure_topics, start_at_end
from samling_notifications.handlers.table import consumed_topics
from samling_runtime.auth import Role
from samling_runtime.mongo import Document

SERVICES = {
    "network": "samling_network.main:create",
    "events": "samling_events.main:create",
    "notifications": "samling_notifications.main:create",
}


YEAR_DATA = sibling("benchmarks/scale_year.py")
if TYPE_CHECKING:
    from benchmarks.scale_year import Year

REGION: str = YEAR_DATA.REGION
READS = sibling("benchmarks/scale_reads.py")
TIMED_OUT: float = READS.TIMED_OUT
ms = READS.ms
RUSH = sibling("services/events/benchmarks/registration_rush.py")
FANOUT = sibling("services/notifications/benchmarks/fanout.py")


def seconds(value: float) -> str:
    return "timed out" if value == TIMED_OUT else f"{value:.1f} s"


async def rush(workdir: Path, url: str, n: int) -> float:
    auth = bearer(Role.COORDINATOR, region_id=REGION)
    event_id = await RUSH.open_event(url, auth, "Temadag: rush", "2027-03-01", n // 5)
    report = RUSH.rush(workdir, [url], event_id, n, 100)
    return float(n / report.seconds)


async def fanout(
    stack: Stack, db: AsyncDatabase[Document], group: str, box: Any, people: int
) -> float:
    """Seconds from EventScheduled to every inbox entry and every mail (the slower)."""
    run = uuid.uuid4().hex[:6]
    people -= people % 40  # each of the 40 municipalities gets people // 40 contact persons
    await FANOUT.send_all(stack.bootstrap, FANOUT.setup_facts(run, 40, people))
    while await db["recipients"].count_documents({"type": "contact", "active": True}) < people:
        await asyncio.sleep(0.2)
    while await db["memberships"].count_documents({"network_id": f"net_bench_{run}"}) < 40:
        await asyncio.sleep(0.2)
    before = box.count()
    event = FANOUT.event_scheduled(f"evt_fanout_{run}", f"net_bench_{run}")
    t0 = time.perf_counter()
    await FANOUT.send_all(stack.bootstrap, [event])
    while await db["processed_events"].find_one({"_id": f"{group}:{event.id}"}) is None:
        await asyncio.sleep(0.05)
    while box.count() < before + people:
        await asyncio.sleep(0.1)
    return time.perf_counter() - t0


async def settled(
    stack: Stack, processes: list[ServiceProcess], name: str, timeout: float
) -> dict[str, Any]:
    """Analyse the loaded tables (what autovacuum does soon after a bulk load) and wait until
    the store, Kafka and the services are idle, so the reads measure the queries, not the
    start-up work. Says how long both took and who was busy meanwhile."""
    t0 = time.perf_counter()
    on_sqlite = not stack.postgres.is_running  # FerretDB on SQLite: no PostgreSQL to analyse
    if not on_sqlite:
        await asyncio.to_thread(stack.postgres.psql, "VACUUM (ANALYZE)")
    analysed = time.perf_counter() - t0
    waited, spent = await settle(
        {
            "postgresql": stack.postgres.pid,
            "ferretdb": stack.ferretdb.pid,
            "kafka": stack.kafka.pid,
            **{p.spec.name: p.process.pid for p in processes if p.process},
        },
        # On SQLite the services' sweeps scan whole collections and the store never idles.
        timeout=min(timeout, 120) if on_sqlite else timeout,
    )
    busy = ", ".join(f"{n} {s:.0f} s" for n, s in sorted(spent.items(), key=lambda i: -i[1]))
    analyse = "no VACUUM (SQLite)" if on_sqlite else f"VACUUM ANALYZE {analysed:.0f} s"
    print(f"[{name}] {analyse}, waited {waited:.0f} s for idle (CPU: {busy})")
    return {"analyse_seconds": analysed, "idle_after_seconds": waited, "cpu_seconds": spent}


async def phase(
    stack: Stack,
    root: Path,
    name: str,
    year: Year,
    args: argparse.Namespace,
    box: Any,
    result: dict[str, Any],
) -> None:
    """Load ``year`` into databases of their own, start the three services on them and
    measure the reads, the rush and the fan-out, into ``result`` as they come (an
    interrupted run keeps what it measured)."""
    prefix = f"scale_{name}"
    print(f"[{name}] loading {year.registrations} registrations, {year.notices} notices ...")
    result["load_seconds"] = await YEAR_DATA.load(stack.mongo_url, prefix, year)
    group = f"{prefix}-notifications"  # each service reads with groups of its own
    await start_at_end(stack.bootstrap, group, [t.name for t in consumed_topics()])
    processes: list[ServiceProcess] = []
    try:
        for service, factory in SERVICES.items():
            env = service_env(
                service,
                stack,
                f"{prefix}_{service}",
                f"{prefix}-{service}",
                SMTP_HOST=box.host,
                SMTP_PORT=str(box.port),
                SMTP_CONNECTIONS="16",
            )
            await start_service(processes, service, factory, env, root / "logs", timeout=300)
        urls = {p.spec.name: p.spec.url for p in processes}
        result["settle"] = await settled(stack, processes, name, args.settle_seconds)
        store = READS.Store(stack, prefix)
        result["background_rows"] = await store.background(name)
        print(f"[{name}] reads ...", flush=True)
        every = READS.reads(year, YEAR_DATA.person, args.ids)
        measured = await READS.latencies(urls, every, args.requests, store, args.reads, name)
        result["reads"], result["rows"] = measured.reads, measured.rows
        result["requests"] = measured.requests
        if args.reads_only:
            return
        print(f"[{name}] registration rush ...", flush=True)
        result["rush_per_second"] = await rush(root, urls["events"], args.rush)
        print(f"[{name}] fan-out ...", flush=True)
        client: AsyncMongoClient[Document] = AsyncMongoClient(stack.mongo_url)
        try:
            db = client[f"{prefix}_notifications"]
            result["fanout_seconds"] = await asyncio.wait_for(
                fanout(stack, db, group, box, args.people), args.fanout_timeout
            )
        except TimeoutError:
            result["fanout_seconds"] = TIMED_OUT
        finally:
            await client.close()
    finally:
        for process in processes:
            process.stop()


def _rows(measured: dict[str, float]) -> str:
    return f"{measured['rows']:,.0f} ({measured['seq_scans']:.1f})"


def table(empty: dict[str, Any], loaded: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"| measure | near-empty store | a year at scale {args.scale} | goal "
        "| rows read / request (seq scans), near-empty | the same, a year |",
        "|---|---|---|---|---|---|",
    ]
    for key, (p50, p95) in loaded["reads"].items():
        e50, e95 = empty["reads"][key]
        ok = "ok" if p95 <= 50 else "MISSED"
        lines.append(
            f"| `{key}` p50 / p95 | {ms(e50)} / {ms(e95)} | {ms(p50)} / {ms(p95)} "
            f"| p95 <= 50 ms: {ok} | {_rows(empty['rows'][key])} | {_rows(loaded['rows'][key])} |"
        )
    rush_ratio = loaded["rush_per_second"] / empty["rush_per_second"]
    fan_ratio = empty["fanout_seconds"] / loaded["fanout_seconds"]
    lines.append(
        f"| registration rush ({args.rush}) | {empty['rush_per_second']:.0f}/s "
        f"| {loaded['rush_per_second']:.0f}/s | >= 80 %: {rush_ratio:.0%} | | |"
    )
    lines.append(
        f"| fan-out ({args.people} people, inbox + mail) | {seconds(empty['fanout_seconds'])} "
        f"| {seconds(loaded['fanout_seconds'])} | >= 80 % of the rate: {fan_ratio:.0%} | | |"
    )
    loads = ", ".join(f"{k} {v:.0f} s" for k, v in loaded["load_seconds"].items())
    lines.append(f"\nLoad time: {loads}.")
    idle = ", ".join(
        f"{name} {phase['background_rows']['rows']:,}"
        for name, phase in (("near-empty", empty), ("year", loaded))
    )
    lines.append(
        f"Rows read with no requests in one {PGSTAT_IDLE_INTERVAL_SECONDS + 0.5:.1f} s window "
        f"(background sweeps; each endpoint's reading spans one such window): {idle}."
    )
    return "\n".join(lines)


def load_times(took: dict[str, float]) -> str:
    return ", ".join(f"{name} {seconds(value)}" for name, value in took.items())


def side_by_side(before: dict[str, Any], after: dict[str, Any]) -> str:
    """Two runs (e.g. SQLite and PostgreSQL on the same data) as one table, each phase's
    reads p50 / p95, rush, fan-out and load; "-" where a run was stopped before measuring it."""

    def both(phase: str, key: str, show: Any) -> str:
        shown = [show(run[phase][key]) if key in run[phase] else "-" for run in (before, after)]
        return " | ".join(shown)

    def p50_p95(pair: list[float]) -> str:
        return f"{ms(pair[0])} / {ms(pair[1])}"

    lines = [
        f"| measure | {before['store']}, scale {before['scale']} "
        f"| {after['store']}, scale {after['scale']} |",
        "|---|---|---|",
    ]
    for phase in ("empty", "year"):
        for key, pair in before[phase].get("reads", {}).items():
            other = after[phase].get("reads", {}).get(key)
            lines.append(
                f"| {phase}: `{key}` | {p50_p95(pair)} | {p50_p95(other) if other else '-'} |"
            )
        lines.append(f"| {phase}: rush | {both(phase, 'rush_per_second', '{:.0f}/s'.format)} |")
        lines.append(f"| {phase}: fan-out | {both(phase, 'fanout_seconds', seconds)} |")
    lines.append(f"| load | {both('year', 'load_seconds', load_times)} |")
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    stack = isolated_stack("samling-scale-", store=args.store)
    found: dict[str, Any] = {"scale": args.scale, "store": args.store, "empty": {}, "year": {}}
    out = repo_root() / ".local" / f"bench-scale-{args.store}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    root = stack.root
    print(f"starting Kafka + FerretDB on {args.store} in {root} ...", flush=True)
    stack.start()
    mailpit = MailpitServer(free_port(), free_port(), root / "mailpit", root / "logs")
    mailpit.start()
    try:
        mailpit.wait_ready()
        box = mailpit.mailbox()
        await ensure_topics(stack.bootstrap)
        # "Empty": the least the reads need (20 events, 200 registrations and notices).
        if not args.reads_only:
            await phase(stack, root, "empty", YEAR_DATA.Year(0), args, box, found["empty"])
        await phase(stack, root, "year", YEAR_DATA.Year(args.scale), args, box, found["year"])
        if not args.reads_only:
            print(table(found["empty"], found["year"], args))
        box.close()
        return 0
    finally:
        out.write_text(json.dumps(found, indent=2))
        mailpit.stop()
        stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of a year's data")
    parser.add_argument("--requests", type=int, default=50, help="requests per read endpoint")
    parser.add_argument("--rush", type=int, default=2000, help="registrations in the rush")
    parser.add_argument("--people", type=int, default=2000, help="contact persons in the fan-out")
    parser.add_argument(
        "--reads",
        action="append",
        default=[],
        help="only the reads whose 'service path' contains this (repeat for several)",
    )
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="only the loaded year's reads: no near-empty phase, no rush, no fan-out",
    )
    parser.add_argument(
        "--ids",
        type=int,
        default=3,
        help="the requests of a read cycle through this many networks, events, people",
    )
    parser.add_argument(
        "--settle-seconds", type=float, default=600, help="the longest wait for an idle stack"
    )
    parser.add_argument(
        "--store",
        choices=["postgresql", "sqlite"],
        default="postgresql",
        help="FerretDB's backend (sqlite: the store before #14, for the 'before' column)",
    )
    parser.add_argument(
        "--fanout-timeout",
        type=float,
        default=600,
        help="seconds before a fan-out counts as timed out (a result, shown as '> N s')",
    )
    parser.add_argument(
        "--compare",
        nargs=2,
        metavar=("BEFORE_JSON", "AFTER_JSON"),
        help="print two runs' .local/bench-scale-*.json side by side, run nothing",
    )
    args = parser.parse_args()
    if args.compare:
        sys.exit(print(side_by_side(*(json.loads(Path(p).read_text()) for p in args.compare))))
    sys.exit(asyncio.run(main(args)))
