"""Registration rush: N concurrent HTTP clients register for one event on a running service.

Starts its own Kafka + FerretDB (separate ports and data dir) and the events service under
uvicorn, fires the registrations with httpx, and reports registrations/s and p50/p99 latency;
in the same run it measures the store's raw unique-insert rate (insert_one with the same
concurrency, and insert_many) for comparison. Afterwards it checks the capacity rule.

    make bench-registrations            # or: uv run python services/events/benchmarks/registration_rush.py --help
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient
from pymongo.errors import BulkWriteError
from samling_devtools.infra import Stack, free_port
from samling_devtools.services import ServiceProcess, ServiceProcessSpec
from samling_devtools.testing import ensure_topics
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

DB = "bench_events"


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def rush(
    urls: list[str], event_id: str, n: int, concurrency: int, idempotency: bool
) -> tuple[float, list[float], dict[int, int]]:
    token = mint_token(
        ServiceSettings(), subject="bench", roles=[Role.COORDINATOR], region_id="rkk-salten"
    )
    auth = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    latencies: list[float] = []
    codes: dict[int, int] = {}
    retries: list[int] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    async with httpx.AsyncClient(limits=limits, timeout=120) as client:

        async def worker(w: int) -> None:
            base = urls[w % len(urls)]
            while not queue.empty():
                i = queue.get_nowait()
                body = {
                    "name": f"Deltaker {i}",
                    "email": f"deltaker{i}@example.no",
                    "municipality_id": "NO-1804",
                    "role": "Lærer",
                }
                t0 = time.perf_counter()
                headers = {**auth, "Idempotency-Key": f"bench-{i}"} if idempotency else auth
                # A dropped connection or a 5xx is retried: the registration id is derived from
                # (event, e-mail), so a retry can never register twice (409 = it went through).
                for attempt in range(8):
                    try:
                        r = await client.post(
                            f"{base}/events/{event_id}/registrations", json=body, headers=headers
                        )
                        if r.status_code < 500:
                            break
                    except httpx.TransportError:
                        pass
                    retries.append(i)
                    await asyncio.sleep(0.2 * (attempt + 1))
                else:
                    raise RuntimeError(f"registration {i} failed eight times")
                latencies.append(time.perf_counter() - t0)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        elapsed = time.perf_counter() - started
    if retries:
        codes[-1] = len(retries)  # dropped connections and 5xx answers that were retried
    return elapsed, latencies, codes


async def raw_inserts(mongo_url: str, n: int, concurrency: int) -> tuple[float, float]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    coll = client[DB]["bench_raw_seats"]
    await coll.drop()
    await coll.create_index("event_id")
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            i = queue.get_nowait()
            await coll.insert_one({"_id": f"e1:{i:06d}", "event_id": "e1", "seat_no": i})

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    one = n / (time.perf_counter() - t0)
    coll2 = client[DB]["bench_raw_seats_many"]
    await coll2.drop()
    docs = [{"_id": f"e1:{i:06d}", "event_id": "e1", "seat_no": i} for i in range(n)]
    t0 = time.perf_counter()
    for start in range(0, n, 500):
        with contextlib.suppress(BulkWriteError):
            await coll2.insert_many(docs[start : start + 500], ordered=False)
    many = n / (time.perf_counter() - t0)
    await client.close()
    return one, many


async def check(mongo_url: str, event_id: str, capacity: int, n: int) -> dict[str, int]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_url)
    db = client[DB]
    regs = (
        await db["registrations"]
        .find({"event_id": event_id}, {"status": 1, "participant_id": 1, "seat_no": 1})
        .to_list()
    )
    seats = await db["seats"].count_documents({"event_id": event_id})
    await client.close()
    confirmed = [r for r in regs if r["status"] == "confirmed"]
    result = {
        "registrations": len(regs),
        "distinct_participants": len({r["participant_id"] for r in regs}),
        "confirmed": len(confirmed),
        "distinct_seats": len({r["seat_no"] for r in confirmed}),
        "seat_documents": seats,
        "waitlisted": sum(1 for r in regs if r["status"] == "waitlisted"),
    }
    assert result["registrations"] == n == result["distinct_participants"], result
    assert result["confirmed"] == min(capacity, n) == result["distinct_seats"] == seats, result
    assert result["confirmed"] + result["waitlisted"] == n, result
    return result


async def main(args: argparse.Namespace) -> int:
    root = Path(tempfile.mkdtemp(prefix="samling-bench-"))
    stack = Stack(
        "test",
        kafka_port=free_port(),
        controller_port=free_port(),
        mongo_port=free_port(),
        root=root,
    )
    print(f"starting Kafka + FerretDB in {root} ...", flush=True)
    stack.start()
    services: list[ServiceProcess] = []
    try:
        await ensure_topics(stack.bootstrap)
        for r in range(args.replicas):
            port = free_port()
            env = {
                "SAMLING_EVENTS_ENVIRONMENT": "test",
                "SAMLING_EVENTS_KAFKA_BOOTSTRAP": stack.bootstrap,
                "SAMLING_EVENTS_MONGO_URL": stack.mongo_url,
                "SAMLING_EVENTS_MONGO_DB": DB,
                "SAMLING_EVENTS_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "SAMLING_EVENTS_LOG_LEVEL": "WARNING",
                "SAMLING_EVENTS_CONSUMER_GROUP": "bench-events",
            }
            service = ServiceProcess(
                ServiceProcessSpec(f"events{r}", "samling_events.main:create", port),
                env,
                root / "logs",
            )
            service.start()
            services.append(service)
            service.wait_ready()  # one at a time: FerretDB dislikes concurrent index creation
        urls = [s.spec.url for s in services]
        token = mint_token(
            ServiceSettings(), subject="bench", roles=[Role.COORDINATOR], region_id="rkk-salten"
        )
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(timeout=30) as client:
            created = await client.post(
                f"{urls[0]}/events",
                headers=auth,
                json={
                    "kind": "theme_day",
                    "title": "Temadag: registreringsrush",
                    "starts_at": "2027-03-01T09:00:00+01:00",
                    "ends_at": "2027-03-01T15:00:00+01:00",
                    "venue": "Bodø",
                    "capacity": args.capacity,
                },
            )
            created.raise_for_status()
            event_id = created.json()["id"]
            (
                await client.post(f"{urls[0]}/events/{event_id}/publish", headers=auth)
            ).raise_for_status()
        # warm-up outside the measurement (JIT-free Python, but connection pools and desks)
        print(
            f"rush: {args.n} registrations, {args.concurrency} concurrent clients, capacity {args.capacity}, {args.replicas} replica(s)",
            flush=True,
        )
        elapsed, latencies, codes = await rush(
            urls, event_id, args.n, args.concurrency, args.idempotency_keys
        )
        print(
            f"status codes {codes} (-1: retries after a dropped connection or a 5xx; 409: a retry found it registered)",
            flush=True,
        )
        await asyncio.sleep(1)  # let the last batch's materialised copies land
        result = await check(stack.mongo_url, event_id, args.capacity, args.n)
        one, many = await raw_inserts(stack.mongo_url, args.n, args.concurrency)
        print(
            f"registrations/s      {args.n / elapsed:8.0f}   ({args.n} in {elapsed:.2f}s, status codes {codes})"
        )
        print(
            f"latency p50 / p99    {pct(latencies, 0.5) * 1000:8.1f} / {pct(latencies, 0.99) * 1000:.1f} ms  (mean {statistics.mean(latencies) * 1000:.1f} ms)"
        )
        print(f"raw insert_one/s     {one:8.0f}   (same concurrency, unique _id, no HTTP)")
        print(f"raw insert_many/s    {many:8.0f}   (batches of 500, ordered=False)")
        print(f"capacity rule        OK {result}")
        return 0
    finally:
        for service in services:
            service.stop()
        stack.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000, help="registrations to send")
    parser.add_argument("--concurrency", type=int, default=200, help="concurrent HTTP clients")
    parser.add_argument("--capacity", type=int, default=500, help="seats of the event")
    parser.add_argument(
        "--idempotency-keys", action="store_true", help="send an Idempotency-Key each time"
    )
    parser.add_argument(
        "--replicas", type=int, default=1, help="service processes (clients alternate)"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
