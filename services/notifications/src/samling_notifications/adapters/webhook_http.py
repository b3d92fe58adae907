"""Calling webhook receivers: the address that was checked is the address that is called.

A name is resolved once per connection, every address it resolves to is checked against the
target policy, and the connection goes to one of exactly those addresses. Checking a name and
then letting the HTTP client resolve it again would let a DNS answer that changes in between
(DNS rebinding) reach a loopback or private address. Only the TCP connection is pinned: the
URL keeps the name, so the Host header, TLS SNI and certificate verification are the name's.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from samling_notifications.domain.webhooks import TargetPolicy, UnsafeTarget, check_address

Resolver = Callable[[str, int], Awaitable[list[str]]]
"""Host and port to the addresses to connect to."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def checked_addresses(
    host: str, port: int, policy: TargetPolicy, resolver: Resolver = system_resolver
) -> list[str]:
    """The addresses to call for ``host``: all of them allowed, or UnsafeTarget."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        check_address(host, policy)
        return [host]
    try:
        addresses = await resolver(host, port)
    except OSError as exc:
        raise UnsafeTarget(f"{host} does not resolve: {exc}") from exc
    if not addresses:
        raise UnsafeTarget(f"{host} does not resolve.")
    for address in addresses:  # one bad answer refuses the name: it may be chosen next time
        check_address(address, policy)
    return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to checked addresses of the requested host."""

    def __init__(
        self,
        policy: TargetPolicy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(host.strip("[]"), port, self.policy, self.resolver)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


# httpcore's errors as httpx's, most specific first (httpx's own transport does the same).
_ERRORS: list[tuple[type[Exception], type[httpx.TransportError]]] = [
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
]


@contextlib.contextmanager
def _as_httpx_errors() -> Any:
    try:
        yield
    except Exception as exc:
        for theirs, ours in _ERRORS:
            if isinstance(exc, theirs):
                raise ours(str(exc)) from exc
        raise


class _Body(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterator[bytes] | Any) -> None:
        self.stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for part in self.stream:
                yield part

    async def aclose(self) -> None:
        if hasattr(self.stream, "aclose"):
            await self.stream.aclose()


class PinnedTransport(httpx.AsyncBaseTransport):
    """httpx's default transport, on a connection pool whose connections are pinned.

    httpx 0.28 cannot be given an httpcore network backend, so the pool is built here."""

    def __init__(self, backend: PinnedBackend) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=backend
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            response = await self.pool.handle_async_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


def webhook_client(
    policy: TargetPolicy, timeout: float, resolver: Resolver = system_resolver
) -> httpx.AsyncClient:
    """The client webhooks are sent with: pinned connections, no redirects (a redirect could
    lead anywhere), no proxy from the environment (the proxy would resolve the name)."""
    return httpx.AsyncClient(
        transport=PinnedTransport(PinnedBackend(policy, resolver)),
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
    )
