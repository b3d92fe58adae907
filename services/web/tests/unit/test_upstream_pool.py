"""The pool of connections to each service stays small: httpx's pool looks at every connection
for every request it queues or frees, so its CPU grows with connections times waiting requests
(``make bench-web``: 50 connections cost a registration 11 ms of the web app's CPU, 10 cost 5)."""

from __future__ import annotations

from samling_web.settings import WebSettings
from samling_web.upstreams import pooled_client


async def test_each_service_is_reached_over_a_small_pool() -> None:
    settings = WebSettings()
    async with pooled_client("http://events", settings, None) as client:
        pool = client._transport._pool  # type: ignore[attr-defined]
        assert pool._max_connections == settings.upstream_connections <= 10
        assert pool._max_keepalive_connections == settings.upstream_connections
