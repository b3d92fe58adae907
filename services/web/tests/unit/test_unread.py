"""The header's unread count: one call, waited for briefly; the page goes on without it."""

from __future__ import annotations

import asyncio
import time

import httpx
from samling_web.notifications_api import UNREAD_SECONDS, Notifications
from samling_web.upstream_api import Api

BEARER = {"Authorization": "Bearer t"}


def notifications(handler: httpx.MockTransport) -> Notifications:
    client = httpx.AsyncClient(base_url="http://notifications", transport=handler)
    return Notifications(Api("notifications", client, connections=2))


async def test_the_count_is_what_the_api_says_with_the_persons_token() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(200, json={"unread": 3})

    assert await notifications(httpx.MockTransport(answer)).unread(BEARER) == 3
    assert seen == ["Bearer t"]


async def test_a_slow_refusing_or_absent_service_gives_no_count() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={"unread": 1})

    def refused(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"detail": "expired"})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    started = time.monotonic()
    assert await notifications(httpx.MockTransport(slow)).unread(BEARER) is None
    assert time.monotonic() - started < UNREAD_SECONDS + 1
    assert await notifications(httpx.MockTransport(refused)).unread(BEARER) is None
    assert await notifications(httpx.MockTransport(down)).unread(BEARER) is None
