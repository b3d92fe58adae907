"""A served process hands what its start-up made to ``gc.freeze`` once start-up is done, so
the collector's full passes no longer walk the modules, templates and pools (the pauses were
the web app's p95 at 50 users: make bench-web)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from samling_runtime.server import settled


async def test_what_start_up_made_is_frozen_once_it_is_done_not_before() -> None:
    seen: dict[str, int] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.made = [{"kept": n} for n in range(1000)]
        seen["during start-up"] = gc.get_freeze_count()
        yield

    app = settled(FastAPI(lifespan=lifespan))
    gc.unfreeze()
    try:
        async with app.router.lifespan_context(app):
            seen["served"] = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert seen["during start-up"] == 0
    assert seen["served"] >= 1000
