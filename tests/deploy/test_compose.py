"""docker-compose.yml is valid Compose and stays in step with the local runner and the code.

There is no Docker engine here, so the file is loaded by ``compose-config`` (built by
deploy/local/install.sh from deploy/compose/validate/): compose-go, the library behind
``docker compose config``, validates it against the Compose Specification, interpolates,
merges the ``x-service`` anchor and checks references. The tests then read the resolved model.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from samling_contracts.topics import every_topic_name
from samling_devtools.docs import service_settings
from samling_devtools.infra import KAFKA_VERSION, KafkaServer, cache_dir, repo_root
from samling_devtools.services import default_services
from samling_devtools.topics import topic_specs

ROOT = repo_root()
COMPOSE_FILE = ROOT / "docker-compose.yml"
SERVICES = ("network", "events", "notifications")
# Server properties that differ by design between a host process and a container network.
LISTENER_PROPERTIES = {
    "listeners",
    "advertised.listeners",
    "listener.security.protocol.map",
    "inter.broker.listener.name",
    "controller.listener.names",
    "controller.quorum.bootstrap.servers",
    "log.dirs",
}


def compose_config(path: Path) -> subprocess.CompletedProcess[str]:
    binary = cache_dir() / "bin" / "compose-config"
    if not binary.is_file():
        pytest.fail(f"{binary} missing: run deploy/local/install.sh (it builds the validator)")
    return subprocess.run(
        [str(binary), str(path)], capture_output=True, text=True, check=False, timeout=60
    )


@pytest.fixture(scope="module")
def project() -> dict[str, Any]:
    result = compose_config(COMPOSE_FILE)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, Any] = yaml.safe_load(result.stdout)
    return loaded


@pytest.fixture(scope="module")
def services(project: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = project["services"]
    return found


def test_the_validator_rejects_what_compose_rejects(tmp_path: Path) -> None:
    """The check is real: unknown keys and dangling references fail."""
    unknown_key = tmp_path / "unknown.yml"
    unknown_key.write_text("services:\n  a:\n    image: busybox\n    restrat: always\n")
    dangling = tmp_path / "dangling.yml"
    dangling.write_text("services:\n  a:\n    image: busybox\n    depends_on: [kafka]\n")
    for path, message in ((unknown_key, "restrat"), (dangling, "kafka")):
        result = compose_config(path)
        assert result.returncode != 0
        assert message in result.stderr


def test_kafka_is_the_local_runners_kafka(services: dict[str, Any], tmp_path: Path) -> None:
    kafka = services["kafka"]
    assert kafka["image"] == f"apache/kafka:{KAFKA_VERSION}"
    local = KafkaServer(1, 2, tmp_path, tmp_path)._write_properties().read_text()
    local_props = dict(line.split("=", 1) for line in local.splitlines() if line)
    env = kafka["environment"]
    for key, value in local_props.items():
        if key in LISTENER_PROPERTIES:
            continue
        env_name = "KAFKA_" + key.upper().replace(".", "_")
        assert env.get(env_name) == value, f"{env_name} should be {value} as in the local runner"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "healthcheck" in kafka


def test_topic_init_creates_every_contract_topic(services: dict[str, Any]) -> None:
    init = services["topic-init"]
    assert init["build"]["args"]["SERVICE"] == "devtools"
    assert init["command"][:3] == ["python", "-m", "samling_devtools.topics"]
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert [spec.name for spec in topic_specs()] == every_topic_name()
    assert all(spec.partitions >= 3 and spec.replication == 1 for spec in topic_specs())


@pytest.mark.parametrize("name", SERVICES)
def test_service_environment_names_real_settings(
    services: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every variable is a field of the service's settings class, and the values parse."""
    settings_class = service_settings()[name]
    prefix = f"SAMLING_{name.upper()}_"
    env: dict[str, str] = services[name]["environment"]
    fields = set(settings_class.model_fields)
    for key in env:
        assert key.startswith(prefix), f"{key} lacks the prefix {prefix}"
        assert key.removeprefix(prefix).lower() in fields, f"{key} is not a {settings_class}"
    for key in ("ENVIRONMENT", "KAFKA_BOOTSTRAP", "MONGO_URL", "OTLP_ENDPOINT"):
        assert prefix + key in env
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = settings_class()
    assert settings.environment == "development"
    assert settings.kafka_bootstrap == "kafka:19092"
    advertised = services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert f"INTERNAL://{settings.kafka_bootstrap}" in advertised
    assert settings.mongo_url.startswith("mongodb://mongo:")
    assert settings.otlp_endpoint is not None
    assert "//otel-collector:4318" in settings.otlp_endpoint


@pytest.mark.parametrize("name", SERVICES)
def test_services_are_built_checked_and_started_in_order(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    assert service["build"]["args"]["SERVICE"] == name
    assert Path(service["build"]["context"]).resolve() == ROOT
    assert service["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    test = " ".join(service["healthcheck"]["test"])
    assert "127.0.0.1:8000/readyz" in test
    depends = service["depends_on"]
    assert depends["kafka"]["condition"] == "service_healthy"
    assert depends["mongo"]["condition"] == "service_healthy"
    assert depends["topic-init"]["condition"] == "service_completed_successfully"
    # Published on the same host ports as `make up`, so URLs in docs and the CLI work for both.
    local_port = {s.name: s.port for s in default_services()}[name]
    assert [(p["published"], p["target"]) for p in service["ports"]] == [(str(local_port), 8000)]


def test_infrastructure_has_healthchecks(services: dict[str, Any]) -> None:
    for name in ("kafka", "mongo"):
        assert services[name]["healthcheck"]["test"], name
    assert services["mongo"]["image"].startswith("mongo:")


def test_telemetry_reaches_jaeger(services: dict[str, Any]) -> None:
    collector = services["otel-collector"]
    assert collector["image"].startswith("otel/opentelemetry-collector-contrib:")
    mount = collector["volumes"][0]
    source = Path(mount["source"])
    assert source.is_file(), source
    assert mount["target"] in " ".join(collector["command"])
    config = yaml.safe_load(source.read_text())
    assert "otlp" in config["receivers"]
    traces = config["service"]["pipelines"]["traces"]
    exporter = config["exporters"][traces["exporters"][0]]
    jaeger_host = exporter["endpoint"].split(":")[0]
    assert jaeger_host in services
    assert services[jaeger_host]["image"].startswith("jaegertracing/")
    assert "metrics" in config["service"]["pipelines"]


def test_smtp_sink_is_there(services: dict[str, Any]) -> None:
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    assert {p["target"] for p in services["mailpit"]["ports"]} == {1025, 8025}


def test_the_web_app_runs_on_the_links_port(services: dict[str, Any]) -> None:
    """Port 8000 as `make up` has it, where the notifications service's mail links point; it
    calls the services inside the compose network and starts once they are healthy."""
    web = services["web"]
    assert web["build"]["args"]["SERVICE"] == "web"
    local_port = {s.name: s.port for s in default_services()}["web"]
    assert [(p["published"], p["target"]) for p in web["ports"]] == [(str(local_port), 8000)]
    env: dict[str, str] = web["environment"]
    fields = set(service_settings()["web"].model_fields)
    assert {k.removeprefix("SAMLING_WEB_").lower() for k in env} <= fields
    assert env["SAMLING_WEB_NETWORK_URL"] == "http://network:8000"
    assert env["SAMLING_WEB_EVENTS_URL"] == "http://events:8000"
    app_url = services["notifications"]["environment"]["SAMLING_NOTIFICATIONS_APP_URL"]
    assert app_url == f"http://localhost:{local_port}"
    for upstream in ("network", "events"):
        assert web["depends_on"][upstream]["condition"] == "service_healthy"
    assert "127.0.0.1:8000/readyz" in " ".join(web["healthcheck"]["test"])
