"""A real SMTP server with a tiny HTTP JSON mailbox, kept for what Mailpit cannot do.

Mailpit (``samling_devtools.mailpit``) is the mailbox of ``make up`` and of the tests. This sink
stays for one thing: a ``+slow`` address whose mail it keeps at once but answers late, which
tests of a service stopping mid-send need (Mailpit answers every mail at once). Its
``Received`` also parses the mails Mailpit hands back.

Mail sent to it over SMTP (``aiosmtpd``) is kept in memory and, optionally, in a maildir, and
can be read back:

- in process: ``sink.messages(to=...)``, ``sink.count()``, ``sink.clear()``;
- over HTTP: ``GET /messages[?to=addr]`` (parsed headers, text and HTML parts, attachment
  names), ``GET /count``, ``DELETE /messages``.

Addresses whose local part contains ``+reject`` are refused with ``550`` (a permanent failure)
and ``+tempfail`` with ``451`` (a temporary one), so delivery failures can be tested. A mail to
a ``+slow`` address is kept at once but answered only after :data:`SLOW_ANSWER_SECONDS`: the
moment a sender cannot know whether its mail arrived, held open for tests of stopping mid-send.

``python -m samling_devtools.smtp_sink --port 1025 --http-port 8025`` runs it on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import mailbox
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    """One message as it arrived: envelope and raw bytes (parsed on demand)."""

    number: int
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    received_at: float
    message_id: str = ""

    def parsed(self) -> EmailMessage:
        message: EmailMessage = message_from_bytes(self.data, policy=policy.default)
        return message

    def to_json(self) -> dict[str, Any]:
        message = self.parsed()
        text = html = None
        attachments: list[dict[str, Any]] = []
        for part in message.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if filename or part.get_content_disposition() == "attachment":
                attachments.append(
                    {
                        "filename": filename,
                        "content_type": part.get_content_type(),
                        "content": part.get_content()
                        if part.get_content_maintype() == "text"
                        else None,
                    }
                )
            elif part.get_content_type() == "text/plain" and text is None:
                text = part.get_content()
            elif part.get_content_type() == "text/html" and html is None:
                html = part.get_content()
        return {
            "number": self.number,
            "mail_from": self.mail_from,
            "rcpt_tos": list(self.rcpt_tos),
            "received_at": self.received_at,
            "message_id": str(message.get("Message-ID", "")),
            # Python folds a long header onto the next line right after its name and reads the
            # fold's space back as part of the value; mail clients drop it, and so do we.
            "subject": str(message.get("Subject", "")).strip(),
            "headers": {k: str(v).strip() for k, v in message.items()},
            "text": text,
            "html": html,
            "attachments": attachments,
        }


@dataclass
class Mailbox:
    maildir: Path | None = None
    _messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, envelope: Envelope) -> None:
        data = envelope.original_content or envelope.content or b""
        if isinstance(data, str):
            data = data.encode()
        with self._lock:
            received = Received(
                len(self._messages) + 1,
                str(envelope.mail_from),
                tuple(envelope.rcpt_tos),
                data,
                time.time(),
                str(BytesHeaderParser().parsebytes(data).get("Message-ID", "")),
            )
            self._messages.append(received)
        if self.maildir is not None:
            mailbox.Maildir(self.maildir, create=True).add(data)

    def messages(self, to: str | None = None) -> list[Received]:
        with self._lock:
            found = list(self._messages)
        if to is not None:
            found = [m for m in found if to.lower() in (r.lower() for r in m.rcpt_tos)]
        return found

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


SLOW_ANSWER_SECONDS = 1.0


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        local = address.split("@", 1)[0]
        if "+reject" in local:
            return "550 5.1.1 Mailbox unavailable (the sink refuses +reject addresses)"
        if "+tempfail" in local:
            return "451 4.3.0 Try again later (the sink defers +tempfail addresses)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.box.add(envelope)
        if any("+slow" in r.split("@", 1)[0] for r in envelope.rcpt_tos):
            await asyncio.sleep(SLOW_ANSWER_SECONDS)
        return "250 Message accepted"


class SmtpSink:
    """The SMTP server (own thread and event loop) and the HTTP mailbox (own thread)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 1025,
        http_port: int | None = 8025,
        maildir: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.http_port = http_port
        self.box = Mailbox(maildir)
        self._controller = Controller(
            _Handler(self.box),
            hostname=host,
            port=port,
            data_size_limit=25 * 1024 * 1024,
            enable_SMTPUTF8=True,
        )
        self._http: ThreadingHTTPServer | None = None
        self._started = False

    @property
    def mailbox_url(self) -> str:
        return f"http://{self.host}:{self.http_port}/messages"

    def start(self) -> SmtpSink:
        self._controller.start()
        self._started = True
        if self.http_port is not None:
            self._http = ThreadingHTTPServer((self.host, self.http_port), _http_handler(self.box))
            self._http.daemon_threads = True
            threading.Thread(target=self._http.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._started:
            self._controller.stop()
            self._started = False
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()

    def messages(self, to: str | None = None) -> list[Received]:
        return self.box.messages(to)

    def count(self) -> int:
        return self.box.count()

    def clear(self) -> None:
        self.box.clear()


def _http_handler(box: Mailbox) -> type[BaseHTTPRequestHandler]:
    class MailboxHandler(BaseHTTPRequestHandler):
        def _json(self, status: int, body: Any) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/count":
                messages = box.messages()
                self._json(
                    200,
                    {
                        "received": len(messages),
                        "distinct_message_ids": len({m.message_id for m in messages}),
                    },
                )
            elif url.path == "/messages":
                to = query.get("to", [None])[0]
                self._json(200, [m.to_json() for m in box.messages(to)])
            else:
                self._json(404, {"detail": "GET /messages, GET /count or DELETE /messages"})

        def do_DELETE(self) -> None:
            if urlparse(self.path).path == "/messages":
                box.clear()
                self._json(200, {"cleared": True})
            else:
                self._json(404, {"detail": "DELETE /messages"})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return MailboxHandler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--maildir", type=Path, default=None)
    args = parser.parse_args()
    sink = SmtpSink(args.host, args.port, args.http_port, args.maildir).start()
    print(f"SMTP sink on {args.host}:{args.port}; mailbox {sink.mailbox_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
