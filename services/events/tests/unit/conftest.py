"""The fast tier's shared fixture: a desk world over the in-memory store, closed after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .desk_world import DeskWorld


@pytest.fixture
async def world() -> AsyncIterator[DeskWorld]:
    w = DeskWorld()
    yield w
    await w.close()
