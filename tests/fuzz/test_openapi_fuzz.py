"""Property-based fuzzing of every service's OpenAPI document with schemathesis.

Each operation of the network, events and notifications services gets generated requests, valid
and invalid ones, sent in-process to the real app (real Kafka and FerretDB) as a coordinator, a
municipality administrator and an anonymous caller. Every answer must be documented: no server
error (5xx), a documented status code and media type (errors are ``application/problem+json``),
and a body that matches its schema.

Bounded in time: a fixed number of generated cases per operation (derandomized, so every run
sends the same ones), no shrinking. Findings that need a change in a service's routes are listed
in :mod:`known_findings`; they are printed, not failed, until those routes are fixed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, Verbosity
from hypothesis import strategies as st
from samling_contracts.topics import every_topic_name
from samling_devtools.mailpit import Mailpit
from samling_devtools.testing import bearer, start_at_end
from samling_runtime.settings import ServiceSettings
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .app_thread import AppThread
from .known_findings import KNOWN

pytestmark = [
    pytest.mark.integration,
    pytest.mark.fuzz,
    # schemathesis' own strategies use `random`; not this test's to fix.
    pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning"),
]

EXAMPLES_PER_OPERATION = 10
ROLES: dict[str, dict[str, str]] = {
    "coordinator": bearer("u-fuzz-coordinator", "coordinator", region_id="rkk-salten"),
    "municipality_admin": bearer("u-fuzz-admin", "municipality_admin", municipality_id="NO-1804"),
    "anonymous": {},
}
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def network(settings_for: Callable[..., Any], smtp: Mailpit) -> FastAPI:
    from samling_network.main import create
    from samling_network.settings import NetworkSettings

    return create(settings_for(NetworkSettings))


def events(settings_for: Callable[..., Any], smtp: Mailpit) -> FastAPI:
    from samling_events.main import create
    from samling_events.settings import EventsSettings

    return create(settings_for(EventsSettings, sweep_interval_seconds=3600))


def notifications(settings_for: Callable[..., Any], smtp: Mailpit) -> FastAPI:
    from samling_notifications.main import create
    from samling_notifications.settings import NotificationsSettings

    return create(settings_for(NotificationsSettings, smtp_host=smtp.host, smtp_port=smtp.port))


SERVICES = {"network": network, "events": events, "notifications": notifications}


@dataclass
class Findings:
    service: str
    seen: dict[str, str] = field(default_factory=dict)  # key -> one example
    requests: int = 0

    def record(self, key: str, example: str) -> None:
        self.seen.setdefault(f"{self.service} {key}", example)


def failures_of(error: Failure | FailureGroup) -> tuple[Failure, ...]:
    return error.exceptions if isinstance(error, FailureGroup) else (error,)


def fuzz_operation(app: AppThread, operation: Any, findings: Findings) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        try:
            strategies.append(operation.as_strategy(generation_mode=mode))
        except Exception as e:  # an operation with nothing to make invalid
            findings.seen.setdefault(f"(not generated) {label} {mode.value}", repr(e))

    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @hypothesis.given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        for role, headers in ROLES.items():
            kwargs = case.as_transport_kwargs(base_url="http://service", headers=headers)
            kwargs.pop("cookies", None)
            if "data" in kwargs and not isinstance(kwargs["data"], dict):
                kwargs["content"] = kwargs.pop("data")
            response = app.request(**kwargs)
            findings.requests += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as error:
                for failure in failures_of(error):
                    findings.record(
                        f"{label} {failure.title} [{response.status_code}]",
                        f"as {role}: {kwargs.get('params')} {str(kwargs.get('json'))[:200]}"
                        f" -> {response.text[:300]}",
                    )

    run()


@pytest.mark.parametrize("service", list(SERVICES))
def test_every_documented_operation_answers_as_documented(
    service: str, settings_for: Callable[..., ServiceSettings], mailbox: Mailpit
) -> None:
    app = SERVICES[service](settings_for, mailbox)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per generated request
    settings: ServiceSettings = app.state.settings
    assert settings.consumer_group is not None
    # Only what happens from now on: not every fact other tests published this session.
    asyncio.run(start_at_end(settings.kafka_bootstrap, settings.consumer_group, every_topic_name()))
    schema = schemathesis.openapi.from_dict(app.openapi())
    findings = Findings(service)
    started = time.monotonic()
    with AppThread(app) as running:
        for result in schema.get_all_operations():
            if isinstance(result, Ok):
                fuzz_operation(running, result.ok(), findings)
            else:  # the document itself is wrong for this operation
                findings.record(f"invalid schema: {result.err()}", "")
    known = {k: v for k, v in findings.seen.items() if k in KNOWN}
    new = {k: v for k, v in findings.seen.items() if k not in KNOWN and "(not generated)" not in k}
    print(
        f"\n{service}: {findings.requests} requests in {time.monotonic() - started:.0f} s; "
        f"{len(known)} known findings (tests/fuzz/known_findings.py), {len(new)} new"
    )
    for key, example in sorted(known.items()):
        print(f"  KNOWN {key}\n        {example}")
    for key in sorted(k for k in findings.seen if "(not generated)" in k):
        print(f"  SKIP  {key}")
    for key, example in sorted(new.items()):
        print(f"  NEW   {key}\n        {example}")
    assert not new, "new findings (fix them, or list them with a reason in known_findings.py)"
