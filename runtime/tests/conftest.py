"""Fixtures of the runtime's integration tests."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from samling_devtools.infra import Stack
from samling_devtools.testing import mongo_db


@pytest.fixture
async def db(stack: Stack, unique_db_name: str) -> AsyncIterator[Any]:
    """A database of its own on the real FerretDB."""
    async with mongo_db(stack.mongo_url, unique_db_name) as database:
        yield database


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The test module's ``app`` fixture, called in memory."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c
