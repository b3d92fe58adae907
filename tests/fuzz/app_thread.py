"""A service app served in-process (ASGI, no sockets) from an event loop of its own.

Hypothesis drives a synchronous loop, and a service's store and broker clients belong to the
event loop they were started on; so the app's lifespan runs on a loop in a thread, and each
generated request is handed to that loop and waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType
from typing import Any, Self

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

STARTUP_SECONDS = 120
REQUEST_SECONDS = 60


class AppThread:
    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fuzzed-app", daemon=True)
        self.stack = contextlib.AsyncExitStack()
        self.client: httpx.AsyncClient | None = None

    def _run(self, coro: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> Self:
        self.thread.start()

        async def start() -> httpx.AsyncClient:
            await self.stack.enter_async_context(
                LifespanManager(self.app, startup_timeout=STARTUP_SECONDS, shutdown_timeout=30)
            )
            # A server error must come back as the 500 the client would get, not as the
            # exception Starlette re-raises to the server after answering.
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            return await self.stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://service")
            )

        self.client = self._run(start(), STARTUP_SECONDS)
        return self

    def request(self, **kwargs: Any) -> httpx.Response:
        assert self.client is not None
        response: httpx.Response = self._run(self.client.request(**kwargs), REQUEST_SECONDS)
        return response

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._run(self.stack.aclose(), STARTUP_SECONDS)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()
