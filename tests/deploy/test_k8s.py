"""deploy/k8s: valid Kubernetes objects (offline schemas) with the invariants scaling relies on.

Every manifest is loaded with PyYAML; the kustomizations are also rendered with
``kubectl kustomize`` when kubectl is installed, and every object is validated against the
Kubernetes OpenAPI schemas that the ``kubernetes-validate`` package ships (no cluster needed).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from samling_devtools.docs import service_settings
from samling_devtools.infra import repo_root
from samling_devtools.topics import topic_specs

K8S = repo_root() / "deploy" / "k8s"
BASE = K8S / "base"
SERVICES = ("network", "events", "notifications")
KUBERNETES_VERSION = "1.30"  # the oldest version the manifests promise to work on

Manifest = dict[str, Any]


def load(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


@pytest.fixture(scope="module")
def objects() -> dict[tuple[str, str], Manifest]:
    """Every object of the base, by (kind, name)."""
    found: dict[tuple[str, str], Manifest] = {}
    kustomization = load(BASE / "kustomization.yaml")[0]
    for resource in kustomization["resources"]:
        for doc in load(BASE / resource):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} defined twice"
            found[key] = doc
    return found


def pod_spec(obj: Manifest) -> Manifest:
    spec: Manifest = obj["spec"]["template"]["spec"]
    return spec


def test_kustomization_lists_every_manifest() -> None:
    for directory in (BASE, K8S / "overlays" / "production"):
        kustomization = load(directory / "kustomization.yaml")[0]
        listed = {r for r in kustomization["resources"] if not r.startswith("..")}
        on_disk = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml"}
        assert listed == on_disk, directory


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("target", ["base", "overlays/production"])
def test_kustomize_renders_schema_valid_objects(target: str) -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(K8S / target)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    assert {d["kind"] for d in docs} >= {
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "ConfigMap",
        "Secret",
        "Job",
    }
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    if target != "base":
        assert all(
            d["metadata"].get("namespace") == "samling" for d in docs if d["kind"] != "Namespace"
        )
        images = {
            c["image"]
            for d in docs
            if "template" in d.get("spec", {})
            for c in pod_spec(d)["containers"]
        }
        assert all(i.startswith("registry.example.org/samling/") for i in images), images


def test_schema_validation_is_real() -> None:
    broken = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {"replicas": "two"},
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", SERVICES)
def test_deployment_probes_resources_and_security(
    objects: dict[tuple[str, str], Manifest], name: str
) -> None:
    deployment = objects[("Deployment", f"samling-{name}")]
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    assert container["image"] == f"samling-{name}"
    assert {"name": "http", "containerPort": 8000} in container["ports"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert "memory" in container["resources"]["limits"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == 10001  # the image's user
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("name", SERVICES)
def test_environment_names_are_settings_fields(
    objects: dict[tuple[str, str], Manifest], name: str
) -> None:
    fields = set(service_settings()[name].model_fields)
    prefix = f"SAMLING_{name.upper()}_"
    (container,) = pod_spec(objects[("Deployment", f"samling-{name}")])["containers"]
    names: list[str] = [e["name"] for e in container["env"]]
    sources = {"configMapRef": "ConfigMap", "secretRef": "Secret"}
    for source in container["envFrom"]:
        assert source["prefix"] == prefix
        ((ref, target),) = ((k, v) for k, v in source.items() if k in sources)
        referenced = objects[(sources[ref], target["name"])]
        keys = referenced.get("data") or referenced.get("stringData") or {}
        names += [prefix + key for key in keys]
    for env_name in names:
        assert env_name.startswith(prefix)
        assert env_name.removeprefix(prefix).lower() in fields, f"{env_name}: no such setting"
    # One consumer group per service: replicas must not get groups of their own.
    assert prefix + "CONSUMER_GROUP" not in names
    for needed in ("ENVIRONMENT", "KAFKA_BOOTSTRAP", "MONGO_URL", "MONGO_DB", "JWT_SECRET"):
        assert prefix + needed in names


def test_secrets_are_placeholders_the_services_refuse(
    objects: dict[tuple[str, str], Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Applying the example Secret unchanged must not give a running production service."""
    config = objects[("ConfigMap", "samling-config")]["data"]
    secret = objects[("Secret", "samling-secrets")]["stringData"]
    assert config["ENVIRONMENT"] == "production"
    settings_class = service_settings()["network"]
    for key, value in {**config, **secret}.items():
        monkeypatch.setenv(f"SAMLING_NETWORK_{key}", value)
    with pytest.raises(ValueError, match="placeholder"):
        settings_class()
    monkeypatch.setenv("SAMLING_NETWORK_JWT_SECRET", "x" * 48)
    # From the notifications service's Secret (its own placeholder is checked there).
    monkeypatch.setenv("SAMLING_NETWORK_READER_LINK_SECRET", "y" * 48)
    assert settings_class().jwt_jwks_url == config["JWT_JWKS_URL"]


def job_partitions(objects: dict[tuple[str, str], Manifest]) -> int:
    (container,) = pod_spec(objects[("Job", "samling-topic-init")])["containers"]
    command: list[str] = container["command"]
    assert command[:3] == ["python", "-m", "samling_devtools.topics"]
    assert container["image"] == "samling-devtools"
    return int(command[command.index("--partitions") + 1])


@pytest.mark.parametrize("name", SERVICES)
def test_autoscaling_stays_within_the_partitions(
    objects: dict[tuple[str, str], Manifest], name: str
) -> None:
    """Replicas beyond the partition count would idle as consumers: the HPA stops there."""
    partitions = min(spec.partitions for spec in topic_specs(partitions=job_partitions(objects)))
    hpa = objects[("HorizontalPodAutoscaler", f"samling-{name}")]
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": f"samling-{name}",
    }
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"] <= partitions
    deployment = objects[("Deployment", f"samling-{name}")]
    assert (
        hpa["spec"]["minReplicas"] <= deployment["spec"]["replicas"] <= hpa["spec"]["maxReplicas"]
    )


@pytest.mark.parametrize("name", SERVICES)
def test_service_and_disruption_budget_select_the_pods(
    objects: dict[tuple[str, str], Manifest], name: str
) -> None:
    labels = objects[("Deployment", f"samling-{name}")]["spec"]["template"]["metadata"]["labels"]
    service = objects[("Service", f"samling-{name}")]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    pdb = objects[("PodDisruptionBudget", f"samling-{name}")]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert (
        pdb["spec"]["minAvailable"]
        < objects[("HorizontalPodAutoscaler", f"samling-{name}")]["spec"]["minReplicas"]
    )


def test_every_workload_runs_a_samling_image(objects: dict[tuple[str, str], Manifest]) -> None:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for (kind, _), obj in objects.items():
        if kind in ("Deployment", "Job"):
            by_kind[kind] += [c["image"] for c in pod_spec(obj)["containers"]]
    assert sorted(by_kind["Deployment"]) == sorted(f"samling-{s}" for s in (*SERVICES, "web"))
    assert by_kind["Job"] == ["samling-devtools"]
    kustomization = load(BASE / "kustomization.yaml")[0]
    assert {i["name"] for i in kustomization["images"]} == {*by_kind["Deployment"], *by_kind["Job"]}


def test_the_web_app_is_deployed_like_the_services(
    objects: dict[tuple[str, str], Manifest],
) -> None:
    """Same probes, user and rollout as the services; its settings exist; its secrets are
    placeholders it refuses in production."""
    deployment = objects[("Deployment", "samling-web")]
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    assert container["image"] == "samling-web"
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert spec["securityContext"]["runAsUser"] == 10001
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    fields = set(service_settings()["web"].model_fields)
    names = {e["name"].removeprefix("SAMLING_WEB_").lower() for e in container["env"]}
    assert names <= fields
    assert {"network_url", "events_url", "session_secret", "jwt_secret"} <= names
    service = objects[("Service", "samling-web")]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    secrets = objects[("Secret", "samling-web-secrets")]["stringData"]
    assert all("change-me" in value for value in secrets.values())
