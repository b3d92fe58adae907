"""The pool of connections to each service stays small: httpx's pool looks at every connection
for every request it queues or frees, so its CPU grows with connections times waiting requests
(``make bench-web``: 50 connections cost a registration 11 ms of the web app's CPU, 10 cost 5)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import pytest
from samling_web.settings import WebSettings
from samling_web.upstreams import Api, UpstreamDown, pooled_client


async def test_each_service_is_reached_over_a_small_pool() -> None:
    settings = WebSettings()
    async with pooled_client("http://events", settings, None) as client:
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == settings.upstream_connections <= 10
        assert pool._max_keepalive_connections == settings.upstream_connections


@dataclass
class Slow(httpx.AsyncBaseTransport):
    """A service that answers after a moment, noting how many requests it holds at once."""

    seconds: float
    held: int = 0
    most: int = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.held += 1
        self.most = max(self.most, self.held)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.held -= 1
        return httpx.Response(200)


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
