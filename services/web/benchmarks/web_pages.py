"""The web app under 50 concurrent users: p95 per page, and registrations through the web app
against the events API's rate in the same run.

Starts its own Kafka + FerretDB (free ports, a fresh folder), the network and events services
and the web app under uvicorn, seeds a region, a municipality and two published events, and
drives them with the registration benchmark's load generator (vegeta, 50 workers):

1. ``GET /`` (the calendar) and ``GET /events/{id}`` (the event page with its form): p50/p95.
2. ``POST /events/{id}/register`` through the web app: each simulated person first opened the
   page (outside the measurement), so each POST carries its own session cookie, CSRF token and
   form key, as a browser sends them; the answer is the 303 to the answer page (not followed).
3. The same number of registrations straight to the events API (``POST
   /events/{id}/registrations``) on a second event with the same capacity, with the web app's
   own role (``web``) and the same kind of addresses, so both make the same registration.
   A tenth as many go each way first, not measured (warm desk, producer and pools).

It prints registrations/s and p50/p95 of both, the CPU each process spent per registration, and
what the web app adds to a registration's cost (throughput and CPU).

    make bench-web            # or: uv run python services/web/benchmarks/web_pages.py --help
    uv run python services/web/benchmarks/web_pages.py --web-workers 2   # two web processes
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import re
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psutil
from samling_devtools import vegeta
from samling_devtools.benchmarking import (
    CpuUsage,
    bearer,
    running_stack,
    service_env,
    sibling,
    start_service,
)
from samling_devtools.infra import free_port
from samling_devtools.testing import ensure_topics
from samling_devtools.vegeta import Report
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

RUSH = sibling("services/events/benchmarks/registration_rush.py")
REGION = "rkk-salten"
SESSION_COOKIE = "samling_session"
HIDDEN = re.compile(r'name="(csrf_token|form_key)" value="([^"]*)"')


def attack(workdir: Path, targets: list[dict[str, Any]], users: int) -> Report:
    """A redirect is the answer (the registration's 303 to its answer page is not followed)."""
    lines = "\n".join(json.dumps(t) for t in targets) + "\n"
    return vegeta.attack(workdir, lines, users, options=("-redirects=-1",))


async def seed(network: str, events: str, capacity: int) -> tuple[str, str]:
    """A region with a municipality and two published theme days (the web app's and the
    API's), both with ``capacity`` seats."""
    coordinator = bearer(Role.COORDINATOR, region_id=REGION)
    async with httpx.AsyncClient(timeout=30) as client:
        made = await client.post(f"{network}/regions", headers=bearer(Role.SYSTEM),
                                 json={"id": REGION, "name": "RKK Salten"})  # fmt: skip
        made.raise_for_status()
        made = await client.post(f"{network}/municipalities", headers=coordinator,
                                 json={"country": "NO", "number": "1804", "name": "Bodø"})  # fmt: skip
        made.raise_for_status()
    ids = []
    for title, day in (("Temadag i nettleseren", "2027-04-06"), ("Temadag i API-et", "2027-04-07")):
        ids.append(await RUSH.open_event(events, coordinator, title, day, capacity))
    return ids[0], ids[1]


async def forms(web: str, event_id: str, n: int, who: str = "nettleser") -> list[dict[str, Any]]:
    """n people who each opened the event page: their POST (cookie, CSRF token, form key)."""
    gate = asyncio.Semaphore(8)

    async def one(i: int, client: httpx.AsyncClient) -> dict[str, Any]:
        async with gate:
            page = await client.get(f"{web}/events/{event_id}")
        page.raise_for_status()
        hidden = dict(HIDDEN.findall(page.text))
        body = urlencode(
            {
                **hidden,
                "name": f"Deltaker {i}",
                "email": f"{who}{i}@example.no",
                "municipality_id": "NO-1804",
                "role": "Lærer",
            }
        )
        return {
            "method": "POST",
            "url": f"{web}/events/{event_id}/register",
            "body": base64.b64encode(body.encode()).decode(),
            "header": {
                "Content-Type": ["application/x-www-form-urlencoded"],
                "Cookie": [f"{SESSION_COOKIE}={page.cookies[SESSION_COOKIE]}"],
            },
        }

    targets = []
    for start in range(0, n, 200):
        # A client per person: each has a session of its own.
        clients = [httpx.AsyncClient(timeout=30) for _ in range(min(200, n - start))]
        try:
            targets += await asyncio.gather(*(one(start + k, c) for k, c in enumerate(clients)))
        finally:
            for c in clients:
                await c.aclose()
    return targets


def warm_up(n: int) -> int:
    """Registrations sent each way before the measured ones."""
    return max(1, n // 10)


def worker_pids(web: int | None) -> dict[str, int]:
    """The web app's worker processes when it runs more than one (the pid given is then their
    supervisor, which serves nothing)."""
    if web is None:
        return {}
    children = psutil.Process(web).children()
    workers = [c for c in children if "spawn_main" in " ".join(c.cmdline())]
    return {f"web worker {i}": c.pid for i, c in enumerate(workers, 1)}


def ms(ns: float) -> str:
    return f"{ns / 1e6:.1f}"


async def main(args: argparse.Namespace) -> int:
    with running_stack("samling-bench-web-") as (stack, services):
        root = stack.root
        await ensure_topics(stack.bootstrap)
        urls: dict[str, str] = {}
        for name, factory in (
            ("network", "samling_network.main:create"),
            ("events", "samling_events.main:create"),
            ("web", "samling_web.main:create"),
        ):
            port = free_port()  # just before it binds: a port picked early can be taken
            urls[name] = f"http://127.0.0.1:{port}"
            env = {
                **service_env(
                    name, stack, f"bench_web_{name}", f"bench-web-{name}", PUBLIC_URL=urls[name]
                ),
                "SAMLING_WEB_NETWORK_URL": urls.get("network", ""),
                "SAMLING_WEB_EVENTS_URL": urls.get("events", ""),
                "SAMLING_WEB_DEFAULT_REGION_ID": REGION,
                # Every simulated person comes from this one address: the per-client limit
                # would answer them 429 after the first twenty.
                "SAMLING_WEB_REGISTER_BURST": "1000000",
                "SAMLING_WEB_REGISTER_PER_HOUR": "1000000000",
                "SAMLING_WEB_WORKERS": str(args.web_workers),
            }
            await start_service(services, name, factory, env, root / "logs", port=port)
        web_event, api_event = await seed(urls["network"], urls["events"], args.n + warm_up(args.n))
        print(f"{args.users} concurrent users; {args.pages} requests per page, "
              f"{args.n} registrations each way; {args.web_workers} web process(es)",
              flush=True)  # fmt: skip

        # Warm-up: pools, templates and caches (not measured).
        attack(root, [{"method": "GET", "url": f"{urls['web']}/events/{web_event}"}] * 100, 10)
        lines = []
        web_pids = {"web": services[-1].process.pid if services[-1].process else None}
        web_pids.update(worker_pids(web_pids["web"]))
        for label, path in (("calendar  GET /", "/"), ("event page GET /events/{id}",
                                                          f"/events/{web_event}")):  # fmt: skip
            # The web app's CPU per page: unlike the latencies, hardly moved by what else
            # runs on a shared machine.
            usage = CpuUsage.of(web_pids)
            page = attack(
                root, [{"method": "GET", "url": urls["web"] + path}] * args.pages, args.users
            )
            cpu = sum(usage.since().values()) / args.pages * 1000
            lat = page.latencies
            lines.append(f"{label:<34} p50 {ms(lat.p50):>7} ms  p95 {ms(lat.p95):>7} ms  "
                         f"p99 {ms(lat.p99):>7} ms  web CPU {cpu:.2f} ms/page  "
                         f"{page.status_codes}")  # fmt: skip

        # The API is called as the web app calls it (role `web`: a registration without an
        # account, whose e-mail domain decides whether it waits for approval), so the two rates
        # differ only by what the web app adds; a coordinator's registration is another path.
        token = mint_token(ServiceSettings(), subject="bench-web", roles=[Role.WEB])
        print("opening the form for each person (not measured) ...", flush=True)
        warm = warm_up(args.n)
        targets = await forms(urls["web"], web_event, args.n)
        # Warm-up of both paths (the desk, the producer, the pools; not measured).
        attack(root, await forms(urls["web"], web_event, warm, who="oppvarming"), args.users)
        vegeta.attack(root, RUSH.targets([urls["events"]], api_event, warm, token, "oppvarming"),
                    args.users)  # fmt: skip
        pids = {s.spec.name: s.process.pid for s in services if s.process}
        pids.update(worker_pids(pids["web"]))
        usage = CpuUsage.of({**pids, "ferretdb": stack.ferretdb.pid, "kafka": stack.kafka.pid})
        web_report = attack(root, targets, args.users)
        web_cpu = usage.since()
        usage = CpuUsage.of({**pids, "ferretdb": stack.ferretdb.pid, "kafka": stack.kafka.pid})
        api_report = vegeta.attack(
            root, RUSH.targets([urls["events"]], api_event, args.n, token), args.users
        )
        api_cpu = usage.since()

        web_rate, api_rate = args.n / web_report.seconds, args.n / api_report.seconds
        lines.append(f"{'register POST (web app)':<34} p50 {ms(web_report.latencies.p50):>7} ms  "
                     f"p95 {ms(web_report.latencies.p95):>7} ms  {web_rate:6.0f} registrations/s  "
                     f"{web_report.status_codes}")  # fmt: skip
        lines.append(f"{'register POST (events API)':<34} p50 {ms(api_report.latencies.p50):>7} ms  "
                     f"p95 {ms(api_report.latencies.p95):>7} ms  {api_rate:6.0f} registrations/s  "
                     f"{api_report.status_codes}")  # fmt: skip

        def per(cpu: dict[str, float]) -> str:
            return ", ".join(f"{k} {v / args.n * 1000:.2f} ms" for k, v in cpu.items() if v > 0)

        lines.append(f"CPU per registration, web app:     {per(web_cpu)}")
        lines.append(f"CPU per registration, events API:  {per(api_cpu)}")
        total_web, total_api = sum(web_cpu.values()), sum(api_cpu.values())
        lines.append(
            f"the web app adds {api_rate / web_rate - 1:+.0%} to a registration's time "
            f"(throughput) and {total_web / total_api - 1:+.0%} to its CPU (all processes)"
        )
        refused = {c: n for c, n in web_report.status_codes.items() if c not in ("303", "0")}
        if refused:
            lines.append(f"NOT COMPARABLE: the web app refused registrations: {refused}")
        for line in lines:
            print(line)
        return 1 if refused else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--pages", type=int, default=2000, help="requests per page measured")
    parser.add_argument("-n", type=int, default=1000, help="registrations each way")
    parser.add_argument(
        "--web-workers", type=int, default=1, help="the web app's processes (SAMLING_WEB_WORKERS)"
    )
    started = time.monotonic()
    code = asyncio.run(main(parser.parse_args()))
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(code)
