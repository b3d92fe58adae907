"""The benchmarks' shared helpers: percentiles, a service's environment, vegeta's report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient
from samling_devtools.benchmarking import isolated_stack, percentile, service_env
from samling_devtools.infra import Stack
from samling_devtools.store_servers import SqliteFerretDBServer, StoreServers
from samling_devtools.vegeta import Report


@pytest.mark.parametrize(
    ("fraction", "expected"),
    [(0.0, 1.0), (0.5, 6.0), (0.95, 10.0), (0.99, 10.0), (1.0, 10.0)],
)
def test_percentile_is_the_nearest_rank_below(fraction: float, expected: float) -> None:
    ordered = [float(v) for v in range(1, 11)]
    assert percentile(ordered, fraction) == expected


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([42.0], 0.99) == 42.0


def test_service_env_prefixes_every_setting_with_the_service(tmp_path: Path) -> None:
    stack = Stack(
        "test",
        kafka_port=19001,
        controller_port=19002,
        mongo_port=19003,
        postgres_port=19004,
        root=tmp_path,
    )
    env = service_env("notifications", stack, "bench_db", "bench-group", SMTP_PORT="2525")
    assert env == {
        "SAMLING_NOTIFICATIONS_ENVIRONMENT": "test",
        "SAMLING_NOTIFICATIONS_KAFKA_BOOTSTRAP": stack.bootstrap,
        "SAMLING_NOTIFICATIONS_MONGO_URL": stack.mongo_url,
        "SAMLING_NOTIFICATIONS_MONGO_DB": "bench_db",
        "SAMLING_NOTIFICATIONS_CONSUMER_GROUP": "bench-group",
        "SAMLING_NOTIFICATIONS_LOG_LEVEL": "WARNING",
        "SAMLING_NOTIFICATIONS_SMTP_PORT": "2525",
    }
    assert "19001" in stack.bootstrap
    assert "19003" in stack.mongo_url


def test_service_env_settings_override_the_defaults(tmp_path: Path) -> None:
    stack = Stack("test", root=tmp_path)
    env = service_env("events", stack, "db", "group", LOG_LEVEL="INFO")
    assert env["SAMLING_EVENTS_LOG_LEVEL"] == "INFO"


def _report(errors: list[str], status_codes: dict[str, int]) -> Report:
    latencies = {"mean": 2e6, "50th": 1e6, "95th": 3e6, "99th": 4e6, "max": 5e6}
    return Report.model_validate_json(
        json.dumps(
            {
                "requests": 10,
                "duration": 1.5e9,
                "wait": 0.5e9,
                "latencies": latencies,
                "status_codes": status_codes,
                "errors": errors,
            }
        )
    )


def test_report_reads_vegeta_and_leaves_out_the_end_of_the_targets() -> None:
    report = _report(["no targets to attack"], {"0": 2, "201": 10})
    assert report.failures == []
    assert report.answers == {"201": 10}
    assert report.seconds == 2.0
    assert report.latencies.p95 == 3e6


def test_report_keeps_status_0_when_the_requests_failed() -> None:
    report = _report(["connection refused"], {"0": 2, "201": 8})
    assert report.failures == ["connection refused"]
    assert report.answers == {"0": 2, "201": 8}


@pytest.fixture
def sqlite_stack() -> Iterator[Stack]:
    stack = isolated_stack("samling-test-sqlite-", store="sqlite")
    yield stack
    stack.stop()
    shutil.rmtree(stack.root, ignore_errors=True)


def test_the_sqlite_store_runs_ferretdb_on_sqlite_files_without_postgresql(
    sqlite_stack: Stack,
) -> None:
    files = sqlite_stack.root / "ferretdb" / "sqlite"
    assert sqlite_stack.ferretdb.backend_args() == [
        "--handler=sqlite",
        f"--sqlite-url=file:{files}/",
    ]
    assert sqlite_stack.store.ferretdb is sqlite_stack.ferretdb
    assert isinstance(sqlite_stack.ferretdb, SqliteFerretDBServer)


def test_the_default_store_stays_on_postgresql() -> None:
    stack = isolated_stack("samling-test-postgresql-")
    shutil.rmtree(stack.root)
    assert type(stack.store) is StoreServers
    assert stack.ferretdb.backend_args()[0] == "--handler=postgresql"
    assert stack.postgres.url() in stack.ferretdb.backend_args()[1]


def test_an_unknown_store_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown store 'mysql'"):
        isolated_stack("samling-test-mysql-", store="mysql")


@pytest.mark.integration
async def test_the_sqlite_store_starts_and_keeps_documents_with_postgresql_stopped(
    sqlite_stack: Stack,
) -> None:
    sqlite_stack.store.start()
    sqlite_stack.store.wait_ready()
    assert sqlite_stack.store.is_running
    assert not sqlite_stack.postgres.is_running
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(sqlite_stack.mongo_url)
    try:
        await client["bench"]["things"].insert_one({"_id": "a", "n": 1})
        assert await client["bench"]["things"].find_one({"n": 1}) == {"_id": "a", "n": 1}
    finally:
        await client.close()
    assert any(
        path.suffix == ".sqlite" for path in (sqlite_stack.root / "ferretdb" / "sqlite").iterdir()
    )
