"""Fixtures of the runtime's integration tests."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import mongo_db


@pytest.fixture
async def db(stack: Stack, unique_db_name: str) -> AsyncIterator[Any]:
    """A database of its own on the real FerretDB."""
    async with mongo_db(stack.mongo_url, unique_db_name) as database:
        yield database
