"""Refuse requests beyond what one process should serve at once, with an answer a client can act on.

uvicorn's own ``limit_concurrency`` is not used: it counts open connections (idle keep-alive
ones too, so a crowd of idle clients would shut out a busy one) and answers in plain text. This
counts requests being served and answers 503 problem details with ``Retry-After``; the request
was not started, so the client may send it again (with the same Idempotency-Key, if it had one).
Health checks are never refused: an instance that is busy is not dead, and a probe that failed
under a burst would have the orchestrator restart the very instance doing the work.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from samling_runtime.problems import problem_response

HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
RETRY_AFTER_SECONDS = 1


class ConcurrencyLimit:
    def __init__(self, app: ASGIApp, max_requests: int) -> None:
        self.app = app
        self.max_requests = max_requests
        self.in_flight = 0  # one event loop per process: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_requests:
            await self._refuse(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            None,
            503,
            "Service Unavailable",
            f"This instance is already serving {self.max_requests} requests; yours was not "
            "started. Try again shortly (with the same Idempotency-Key, if you sent one).",
            kind="overloaded",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            instance=scope.get("path"),
        )
        await response(scope, receive, send)
