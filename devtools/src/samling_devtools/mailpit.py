"""Mailpit, the local mailbox: SMTP in, a web UI for developers and a REST API for tests.

``install.sh`` builds it into the cache (``go install github.com/axllent/mailpit``), as
``docker-compose.yml`` runs its image. ``MailpitServer`` runs it as a child process;
``Mailpit`` reads it through the REST API with the same calls tests made of the SMTP sink:
``.messages(to=...)``, ``.count()``, ``.clear()``, each message with ``.rcpt_tos``,
``.message_id``, ``.parsed()`` and ``.to_json()``.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from samling_devtools.processes import INSTALL_HINT, InfraError, ServerProcess, cache_dir
from samling_devtools.smtp_sink import Received

__all__ = ["Mailpit", "MailpitServer"]

_PAGE = 1000


class MailpitServer(ServerProcess):
    """Mailpit; its messages are kept in ``data_dir`` when ``persistent``, else in memory."""

    name = "mailpit"
    display_name = "Mailpit"

    def __init__(
        self,
        smtp_port: int,
        http_port: int,
        data_dir: Path,
        log_dir: Path,
        *,
        persistent: bool = False,
    ) -> None:
        super().__init__(smtp_port, data_dir, log_dir)
        self.http_port = http_port
        self.persistent = persistent
        self.port_env = {smtp_port: "SAMLING_SMTP_PORT", http_port: "SAMLING_SMTP_HTTP_PORT"}

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def web_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @staticmethod
    def binary() -> Path:
        return cache_dir() / "bin" / "mailpit"

    def _ports(self) -> list[int]:
        return [self.port, self.http_port]

    def start(self) -> None:
        if self.is_running:
            return
        binary = self.binary()
        if not os.access(binary, os.X_OK):
            raise InfraError(f"Mailpit binary missing at {binary}: {INSTALL_HINT}")
        self._check_ports()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            [
                str(binary),
                f"--smtp={self.host}:{self.port}",
                f"--listen={self.host}:{self.http_port}",
                "--smtp-auth-accept-any",
                "--smtp-auth-allow-insecure",
                "--max=0",  # keep every message: a fan-out test counts thousands
                "--disable-version-check",
                "--quiet",
                *([f"--database={self.data_dir / 'mailpit.db'}"] if self.persistent else []),
            ],
            cwd=self.data_dir,
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        self._wait_until(self._probe, timeout)

    def _probe(self) -> bool:
        return httpx.get(f"{self.web_url}/readyz", timeout=2).status_code == 200

    def mailbox(self) -> Mailpit:
        return Mailpit(self.host, self.port, self.web_url)


class Mailpit:
    """A Mailpit's messages, read through its REST API (``/api/v1``)."""

    def __init__(self, host: str, port: int, web_url: str) -> None:
        self.host = host
        self.port = port
        self.web_url = web_url
        self._http = httpx.Client(base_url=f"{web_url}/api/v1", timeout=10)
        # A message never changes: its raw bytes are fetched once.
        self._raw: dict[str, Received] = {}
        self._lock = threading.Lock()

    @property
    def mailbox_url(self) -> str:
        return self.web_url

    def messages(self, to: str | None = None) -> list[Received]:
        """Messages in the order they arrived, all or those to ``to``."""
        summaries = self._summaries(to)
        if to is not None:
            wanted = to.lower()
            summaries = [s for s in summaries if wanted in _recipients(s)]
        # Compared as instants, not strings: Mailpit trims trailing zeros from the fraction,
        # so "…:00.1Z" would sort after "…:00.12Z" as text.
        summaries.sort(key=lambda s: datetime.fromisoformat(str(s["Created"])))
        return [self._received(s) for s in summaries]

    def arrivals(self) -> dict[str, float]:
        """When the first message to each address arrived (epoch seconds), from the summaries
        alone: cheap enough for thousands of messages."""
        first: dict[str, float] = {}
        for summary in self._summaries(None):
            at = datetime.fromisoformat(str(summary["Created"])).timestamp()
            for address in _recipients(summary):
                first[address] = min(at, first.get(address, at))
        return first

    def count(self) -> int:
        return int(self._http.get("/messages", params={"limit": 1}).json()["messages_count"])

    def clear(self) -> None:
        self._http.delete("/messages").raise_for_status()
        with self._lock:
            self._raw.clear()

    def close(self) -> None:
        self._http.close()

    def _summaries(self, to: str | None) -> list[dict[str, Any]]:
        path, params = ("/search", {"query": f'to:"{to}"'}) if to else ("/messages", {})
        found: list[dict[str, Any]] = []
        while True:
            page = self._http.get(path, params={**params, "start": len(found), "limit": _PAGE})
            page.raise_for_status()
            batch = page.json()["messages"]
            found += batch
            if len(batch) < _PAGE:
                return found

    def _received(self, summary: dict[str, Any]) -> Received:
        key = str(summary["ID"])
        with self._lock:
            known = self._raw.get(key)
        if known is not None:
            return known
        raw = self._http.get(f"/message/{key}/raw")
        raw.raise_for_status()
        sender = summary.get("From") or {}
        received = Received(
            number=len(self._raw) + 1,
            mail_from=str(sender.get("Address", "")),
            rcpt_tos=tuple(sorted(_recipients(summary))),
            data=raw.content,
            received_at=datetime.fromisoformat(str(summary["Created"])).timestamp(),
            message_id=f"<{summary['MessageID']}>",
        )
        with self._lock:
            self._raw[key] = received
        return received


def _recipients(summary: dict[str, Any]) -> set[str]:
    return {
        str(a["Address"]).lower() for field in ("To", "Cc", "Bcc") for a in summary.get(field) or []
    }
