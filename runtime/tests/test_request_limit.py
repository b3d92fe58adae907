"""Requests beyond the limit get a 503 problem with Retry-After; health checks always pass."""

import asyncio

import httpx
from fastapi import FastAPI
from samling_runtime.request_limit import ConcurrencyLimit


def held_app(release: asyncio.Event, limit: int) -> FastAPI:
    app = FastAPI()

    @app.get("/slow")
    async def slow() -> dict[str, str]:
        await release.wait()
        return {"status": "done"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(ConcurrencyLimit, max_requests=limit)
    return app


async def test_requests_over_the_limit_get_a_retryable_problem() -> None:
    release = asyncio.Event()
    transport = httpx.ASGITransport(app=held_app(release, limit=2))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        held = [asyncio.create_task(client.get("/slow")) for _ in range(2)]
        await asyncio.sleep(0.05)  # both are inside the app now

        refused = await client.get("/slow")
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "1"
        problem = refused.json()
        assert problem["type"] == "https://samling.no/problems/overloaded"
        assert problem["status"] == 503
        assert problem["instance"] == "/slow"
        assert (await client.get("/healthz")).status_code == 200

        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        # The places are given back once the requests are answered.
        assert (await client.get("/slow")).status_code == 200
