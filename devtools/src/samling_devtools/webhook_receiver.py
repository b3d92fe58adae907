"""A webhook receiver for tests, and the Standard Webhooks signature check written from the
specification: an oracle independent of the library the notifications service signs with."""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import FastAPI, Request, Response

from samling_devtools.testing import eventually

Call = tuple[dict[str, str], bytes]
"""The headers and the body of one call."""


class WebhookReceiver:
    """Records every call to ``POST /hook`` and answers ``answer`` (204 unless a test changes
    it, for example to 410 to have the endpoint disabled)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.answer = 204
        self.app = FastAPI()

        @self.app.post("/hook")
        async def hook(request: Request) -> Response:
            self.calls.append((dict(request.headers), await request.body()))
            return Response(status_code=self.answer)

    async def call_number(self, n: int, timeout: float = 30) -> Call:
        """The ``n``-th call (from 1), once it has come."""

        async def arrived() -> bool:
            return len(self.calls) >= n

        await eventually(arrived, timeout=timeout)
        return self.calls[n - 1]


def signed_with(secret: str, call: Call) -> bool:
    """Whether one of the call's ``v1`` signatures is the HMAC-SHA256 of
    ``{webhook-id}.{webhook-timestamp}.{body}`` under ``secret`` (``whsec_`` + base64)."""
    headers, body = call
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    signatures = headers["webhook-signature"].split()
    return any(
        hmac.compare_digest(s.removeprefix("v1,"), expected)
        for s in signatures
        if s.startswith("v1,")
    )
