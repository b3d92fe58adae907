"""Which webhook targets are called: production refuses every non-public address at
registration and at delivery, development allows the developer's own machine, and a name is
called at exactly the address that was checked (no DNS rebinding)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpcore
import pytest
from pydantic import SecretStr
from samling_notifications.adapters.webhook_http import PinnedBackend, webhook_client
from samling_notifications.adapters.webhooks_out import check_target
from samling_notifications.domain.webhooks import TargetPolicy, UnsafeTarget
from samling_notifications.settings import NotificationsSettings

PUBLIC = "93.184.215.14"
REAL_SECRET = SecretStr("5f0c9b1e7d2a4c6e8f1a3b5d7c9e0f2a")


def settings(environment: str, **overrides: Any) -> NotificationsSettings:
    return NotificationsSettings(
        environment=environment,
        jwt_secret=REAL_SECRET,
        link_secret=REAL_SECRET,
        reader_link_secret=REAL_SECRET,
        **overrides,
    )


class Receiver:
    """A receiver on 127.0.0.1 that counts the connections it gets and answers 204."""

    def __init__(self) -> None:
        self.connections = 0
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Receiver]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        async with server:
            yield self


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://localhost/x",
        "https://10.0.0.5/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/x",
    ],
)
async def test_production_refuses_non_public_targets_at_registration(url: str) -> None:
    production = settings("production", webhook_allow_private=True)  # ignored in production
    with pytest.raises(UnsafeTarget):
        await check_target(url, production.webhook_targets)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
async def test_production_never_connects_to_loopback_at_delivery(host: str) -> None:
    production = settings("production").webhook_targets
    async with Receiver().running() as receiver, webhook_client(production, 2.0) as client:
        with pytest.raises(UnsafeTarget):
            await client.post(f"http://{host}:{receiver.port}/hook", content=b"{}")
    assert receiver.connections == 0


async def test_production_never_connects_to_a_private_address_at_delivery() -> None:
    async def private(host: str, port: int) -> list[str]:
        return ["10.0.0.5"]

    production = settings("production").webhook_targets
    async with webhook_client(production, 2.0, resolver=private) as client:
        with pytest.raises(UnsafeTarget):
            await client.post("https://hooks.example.no/x", content=b"{}")


async def test_development_allows_loopback_but_not_other_private_addresses() -> None:
    development = settings("development").webhook_targets
    assert development == TargetPolicy(loopback=True, private=False)
    async with Receiver().running() as receiver:
        for host in ("127.0.0.1", "localhost"):
            url = f"http://{host}:{receiver.port}/hook"
            await check_target(url, development)
            async with webhook_client(development, 2.0) as client:
                assert (await client.post(url, content=b"{}")).status_code == 204
        assert receiver.connections == 2
    with pytest.raises(UnsafeTarget):
        await check_target("http://10.0.0.5/hook", development)
    # Test settings behave like production unless a test asks for local receivers.
    assert settings("test").webhook_targets == TargetPolicy()
    assert settings("test", webhook_allow_private=True).webhook_targets.private


class Recorder(httpcore.AsyncNetworkBackend):
    """Where connections would go, without going anywhere."""

    def __init__(self) -> None:
        self.hosts: list[str] = []

    async def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        self.hosts.append(host)
        raise httpcore.ConnectError("recorded, not connected")


async def test_a_name_is_called_at_the_address_that_was_checked() -> None:
    """DNS rebinding: the name answers a public address when checked and 127.0.0.1 after.
    Each connection resolves once, checks what it got and connects to exactly that."""
    answers: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        answers.append(PUBLIC if not answers else "127.0.0.1")
        return [answers[-1]]

    policy = TargetPolicy()
    async with Receiver().running() as receiver:
        url = f"https://rebind.example.no:{receiver.port}/hook"
        await check_target(url, policy, rebinding)  # public at registration
        async with webhook_client(policy, 2.0, resolver=rebinding) as client:
            with pytest.raises(UnsafeTarget):
                await client.post(url, content=b"{}")
    assert answers == [PUBLIC, "127.0.0.1"]
    assert receiver.connections == 0

    # When the answer is public, the connection goes to that address, not to the name
    # (which a second lookup could turn into another address).
    recorder = Recorder()
    answers.clear()
    backend = PinnedBackend(policy, rebinding, inner=recorder)
    with pytest.raises(httpcore.ConnectError):
        await backend.connect_tcp("rebind.example.no", 443)
    assert recorder.hosts == [PUBLIC]
