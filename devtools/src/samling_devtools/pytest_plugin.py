"""Pytest fixtures for tests that need the real Kafka and FerretDB.

Registered for the whole repo via ``-p samling_devtools.pytest_plugin`` in the
root pyproject. The servers are started lazily, once per session, the first
time a test asks for ``stack`` (or a fixture built on it), so unit-test-only
runs never start a JVM.

``SAMLING_TEST_EXTERNAL=1`` means the test-profile servers are already running
(e.g. ``python -m samling_devtools.infra test`` in another terminal); the
fixtures then only check that they answer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from samling_devtools.infra import InfraError, Stack, port_in_use
from samling_devtools.mailpit import Mailpit, MailpitServer
from samling_devtools.oidc import OidcServer
from samling_devtools.processes import free_port
from samling_devtools.smtp_sink import SmtpSink


def external() -> bool:
    """True when the test servers are managed outside pytest."""
    return os.environ.get("SAMLING_TEST_EXTERNAL", "") not in ("", "0", "false")


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    """The test-profile Stack (fresh data dir), started once per session."""
    s = Stack("test")
    if external():
        missing = [p for p in (s.kafka.port, s.ferretdb.port) if not port_in_use(p)]
        if missing:
            raise InfraError(
                f"SAMLING_TEST_EXTERNAL=1 but nothing listens on port(s) {missing}: "
                "start `uv run samling dev stack test` or unset it"
            )
        yield s
        return
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(stack: Stack) -> str:
    """``host:port`` of the test Kafka broker."""
    return stack.bootstrap


@pytest.fixture(scope="session")
def mongo_url(stack: Stack) -> str:
    """MongoDB URL of the test FerretDB."""
    return stack.mongo_url


@pytest.fixture
def unique_db_name() -> str:
    """A database name no other test uses, so tests share FerretDB without clashing."""
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailpit]:
    """Mailpit for the session (``SAMLING_TEST_SMTP_PORT`` and ``SAMLING_TEST_SMTP_HTTP_PORT``,
    free ports when unset); read it with ``.messages(to=...)``."""
    port = int(os.environ.get("SAMLING_TEST_SMTP_PORT") or free_port())
    http_port = int(os.environ.get("SAMLING_TEST_SMTP_HTTP_PORT") or free_port())
    where = tmp_path_factory.mktemp("mailpit")
    server = MailpitServer(port, http_port, where, where)
    server.start()
    try:
        server.wait_ready()
        box = server.mailbox()
        yield box
        box.close()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def slow_smtp_sink() -> Iterator[SmtpSink]:
    """The hand-written SMTP sink, for what Mailpit cannot do: it keeps a mail to a ``+slow``
    address at once and answers it only a second later, the moment a sender cannot know
    whether its mail arrived (tests of stopping mid-send need that moment held open)."""
    sink = SmtpSink("127.0.0.1", free_port(), None).start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcServer]:
    """The development OpenID Connect provider (RS256, JWKS, sign-in page, demo users) on
    ``SAMLING_TEST_OIDC_PORT`` (a free port when unset), started once per session."""
    with OidcServer(int(os.environ.get("SAMLING_TEST_OIDC_PORT") or free_port())).running() as s:
        yield s
