"""One service's HTTP API: a few small pools of connections, and what its answers mean.

A service that does not answer, or answers 5xx, is :class:`UpstreamDown`: the pages then say
so in the reader's language instead of failing. A 4xx with problem details is
:class:`Refused`, which a page can explain next to the field it concerns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from samling_web.settings import WebSettings

M = TypeVar("M", bound=BaseModel)
PAGE = 200  # the services' largest page


class UpstreamDown(Exception):
    """A service did not answer, or failed: the page cannot be made now."""

    def __init__(self, service: str, reason: str) -> None:
        super().__init__(f"{service}: {reason}")
        self.service = service


class Refused(Exception):
    """A service refused a request (4xx) with problem details a page can explain."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail')}")
        self.status = status
        self.kind = str(problem.get("type", "")).rsplit("/", 1)[-1]
        self.problem = problem

    def invalid_names(self) -> list[list[str]]:
        """The parts of each dotted name in the problem's ``invalid-params`` (``body.title`` is
        ``["body", "title"]``): what a page maps to its fields. A malformed list names none."""
        params: Any = self.problem.get("invalid-params") or []
        return [
            str(param.get("name", "") if isinstance(param, Mapping) else "").split(".")
            for param in (params if isinstance(params, list) else [])
        ]


class Api:
    """One service's API over a few small pools of connections.

    ``connections`` requests go to the clients at once, the others wait here: httpcore looks at
    every connection of its pool for each request it queues or frees, so with fifty requests
    queued in one pool that bookkeeping was 16 % of the web app's CPU (make bench-web, py-spy);
    a semaphore's queue costs nothing per waiter. Each request goes to the client with the
    fewest under way, and as no client gets more than its pool holds, none queues inside
    httpcore. ``wait_seconds`` bounds the wait as the pool's own timeout did (the service counts
    as down past it).
    """

    def __init__(
        self,
        name: str,
        clients: httpx.AsyncClient | Sequence[httpx.AsyncClient],
        connections: int | None = None,
        wait_seconds: float = 10.0,
    ) -> None:
        self.name = name
        self.clients = [clients] if isinstance(clients, httpx.AsyncClient) else list(clients)
        self._under_way = [0] * len(self.clients)
        self._gate = asyncio.Semaphore(connections) if connections else None
        self._wait_seconds = wait_seconds

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if self._gate is None:
            return await self._request(method, url, **kwargs)
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._gate.acquire()
        except TimeoutError as exc:
            raise UpstreamDown(self.name, "PoolTimeout") from exc
        try:
            return await self._request(method, url, **kwargs)
        finally:
            self._gate.release()

    async def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        least = min(range(len(self.clients)), key=self._under_way.__getitem__)
        self._under_way[least] += 1
        try:
            response = await self.clients[least].request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise UpstreamDown(self.name, type(exc).__name__) from exc
        finally:
            self._under_way[least] -= 1
        if response.status_code >= 500:
            raise UpstreamDown(self.name, f"answered {response.status_code}")
        return response

    async def fetch(self, model: type[M], url: str, **kwargs: Any) -> M | None:
        """GET one thing; None when it does not exist (or the web app may not see it)."""
        response = await self.request("GET", url, **kwargs)
        if response.status_code == 404:
            return None
        checked(response)
        return model.model_validate(response.json())

    async def send(self, model: type[M], method: str, url: str, **kwargs: Any) -> M:
        response = await self.request(method, url, **kwargs)
        checked(response)
        return model.model_validate(response.json())

    async def every(self, model: type[M], url: str, params: dict[str, Any], **kw: Any) -> list[M]:
        """All items of a paged list (the lists the pages need are short: a region's
        municipalities and networks)."""
        items: list[M] = []
        cursor: str | None = None
        while True:
            query = {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})}
            response = await self.request("GET", url, params=query, **kw)
            checked(response)
            body = response.json()
            items += [model.model_validate(item) for item in body["items"]]
            cursor = body.get("next_cursor")
            if not cursor:
                return items

    async def ready(self) -> bool:
        response = await self.request("GET", "/readyz")
        return response.status_code == 200


def checked(response: httpx.Response) -> None:
    if response.status_code >= 400:
        try:
            problem = response.json()
        except ValueError:
            problem = {"detail": response.text}
        raise Refused(response.status_code, problem if isinstance(problem, dict) else {})


POOL_SIZE = 10
"""Connections per client: a pool's bookkeeping grows with its size (see :class:`Api`), so more
connections to a service are more pools of this size (make bench-web: one pool of 50 cost a
registration 6.2 ms of the web app's CPU where one of 10 cost 3.3 ms)."""


def pooled_clients(
    base_url: str, settings: WebSettings, transport: httpx.AsyncBaseTransport | None
) -> list[httpx.AsyncClient]:
    """``settings.upstream_connections`` connections to one service, in pools of ``POOL_SIZE``."""
    total = settings.upstream_connections
    return [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=settings.upstream_timeout_seconds,
            limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            transport=transport,
        )
        for size in [POOL_SIZE] * (total // POOL_SIZE)
        + [total % POOL_SIZE] * bool(total % POOL_SIZE)
    ]
