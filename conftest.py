"""Fixtures shared by every test suite in the repository (services and cross-service)."""

from collections.abc import Callable
from typing import Any

import pytest
from samling_devtools.infra import Stack
from samling_devtools.testing import ensure_topics, unique
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings


@pytest.fixture(scope="session")
async def topics(stack: Stack) -> str:
    """Every contract topic and its dead-letter topic exist (auto-creation is off)."""
    await ensure_topics(stack.bootstrap)
    return stack.bootstrap


@pytest.fixture
def settings_for(stack: Stack, topics: str) -> Callable[..., Any]:
    """Settings for one service instance with its own database and consumer group."""
    run = unique("t")

    def make(cls: type[ServiceSettings], **overrides: Any) -> Any:
        values: dict[str, Any] = {
            "environment": "test",
            "kafka_bootstrap": stack.bootstrap,
            "mongo_url": stack.mongo_url,
            "mongo_db": f"{run}_{cls.__name__.lower()}".replace("-", "_"),
            "consumer_group": f"{run}-{cls.__name__.lower()}",
            "relay_interval_seconds": 0.2,
        }
        values.update(overrides)
        return cls(**values)

    return make


@pytest.fixture
def coordinator_headers() -> dict[str, str]:
    token = mint_token(
        ServiceSettings(), subject="u-coordinator", roles=[Role.COORDINATOR], region_id="rkk-salten"
    )
    return {"Authorization": f"Bearer {token}"}
