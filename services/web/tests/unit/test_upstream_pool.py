"""The pools of connections to each service stay small: httpx's pool looks at every connection
for every request it queues or frees, so its CPU grows with connections times waiting requests
(``make bench-web``: one pool of 50 cost a registration 6.2 ms of the web app's CPU, one of 10
3.3 ms); more connections are more small pools."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from samling_web.settings import WebSettings
from samling_web.upstream_api import POOL_SIZE, Api, UpstreamDown, pooled_clients

from services.web.tests.unit.slow_service import Slow


@pytest.mark.parametrize("connections", [1, 10, 25, 50])
async def test_each_service_is_reached_over_small_pools(connections: int) -> None:
    settings = WebSettings(upstream_connections=connections)
    clients = pooled_clients("http://events", settings, None)
    sizes = []
    for client in clients:
        async with client:
            pool = client._transport._pool  # type: ignore[attr-defined]
            assert pool._max_keepalive_connections == pool._max_connections
            sizes.append(pool._max_connections)
    assert sum(sizes) == connections
    assert max(sizes) <= POOL_SIZE


async def test_requests_beyond_the_pool_wait_before_the_client_not_inside_it() -> None:
    service = Slow(0.01)
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        api = Api("events", client, connections=3)
        answers = await asyncio.gather(*(api.request("GET", "/x") for _ in range(30)))
    assert [a.status_code for a in answers] == [200] * 30
    assert service.most == 3


async def test_a_request_that_waits_too_long_for_the_pool_finds_the_service_down() -> None:
    service = Slow(0.5)
    async with httpx.AsyncClient(transport=service, base_url="http://events") as client:
        api = Api("events", client, connections=1, wait_seconds=0.05)
        first = asyncio.ensure_future(api.request("GET", "/x"))
        await asyncio.sleep(0)
        with pytest.raises(UpstreamDown):
            await api.request("GET", "/x")
        assert (await first).status_code == 200


async def test_requests_spread_over_the_pools_and_none_queues_inside_one() -> None:
    services = [Slow(0.01), Slow(0.01)]
    clients = [httpx.AsyncClient(transport=s, base_url="http://events") for s in services]
    api = Api("events", clients, connections=6)
    answers = await asyncio.gather(*(api.request("GET", "/x") for _ in range(60)))
    for client in clients:
        await client.aclose()
    assert [a.status_code for a in answers] == [200] * 60
    assert [s.most for s in services] == [3, 3]
