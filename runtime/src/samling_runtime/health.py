"""Liveness and readiness: /healthz says the process runs, /readyz that its dependencies answer."""

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from samling_runtime.problems import problem_response

Check = Callable[[], Awaitable[object]]


def health_router(checks: Callable[[Request], dict[str, Check]], timeout: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Kafka and the store answer", responses={503: {}})
    async def readyz(request: Request) -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks(request).items():
            try:
                ok = await asyncio.wait_for(check(), timeout)
                results[name] = "ok" if ok is not False else "unavailable"
            except Exception as exc:  # any failure means not ready; say which and why
                results[name] = f"unavailable: {type(exc).__name__}"
        failing = {k: v for k, v in results.items() if v != "ok"}
        if failing:
            return problem_response(
                request,
                503,
                "Service Unavailable",
                "Not ready: " + ", ".join(f"{k} {v}" for k, v in failing.items()),
                kind="not-ready",
                checks=results,
            )
        return JSONResponse({"status": "ok", "checks": results})

    return router
