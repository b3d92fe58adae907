"""A service that answers after a moment, noting how many requests it holds at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx


@dataclass
class Slow(httpx.AsyncBaseTransport):
    seconds: float
    held: int = 0
    most: int = 0

    async def hold(self) -> None:
        self.held += 1
        self.most = max(self.most, self.held)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.held -= 1

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.hold()
        return httpx.Response(200)
