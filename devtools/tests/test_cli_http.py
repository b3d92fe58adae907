"""The HTTP commands (networks, events, registrations) against a small FastAPI app with the
runtime's problem details, served by uvicorn on a free port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from fastapi import FastAPI, Header
from pydantic import AwareDatetime, BaseModel, Field
from rich.console import Console
from samling_devtools.cli import output
from samling_devtools.cli.app import app
from samling_devtools.processes import free_port
from samling_runtime.pagination import Page
from samling_runtime.problems import Problem, install_problem_handlers
from typer.testing import CliRunner

runner = CliRunner()


class Network(BaseModel):
    id: str
    name: str
    region_id: str


class NewEvent(BaseModel):
    kind: str
    title: str = Field(min_length=3)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    timezone: str
    capacity: int = Field(gt=0)


def stub_services() -> FastAPI:
    """Stands in for the services' routes with the runtime's problem details."""
    stub = FastAPI()
    install_problem_handlers(stub)
    networks = [
        Network(id=f"net_{i}", name=f"Nettverk {i}", region_id="rkk-salten") for i in range(3)
    ] + [
        Network(
            id="net_0mwu19znkd4c1e0a3f77",
            name="Helse- og omsorgsnettverket i Salten",
            region_id="rkk-salten",
        )
    ]
    seen_keys: list[str] = []

    @stub.get("/networks")
    async def list_networks(
        cursor: str | None = None, authorization: str = Header()
    ) -> Page[Network]:
        if not authorization.startswith("Bearer "):
            raise Problem(401, "Sign in first.")
        if cursor is None:
            return Page(items=networks[:2], next_cursor="page2")
        return Page(items=networks[2:])

    @stub.post("/events", status_code=201)
    async def schedule(body: NewEvent, idempotency_key: str = Header()) -> dict[str, object]:
        seen_keys.append(idempotency_key)
        return {"id": "evt_1", "status": "draft", **body.model_dump(mode="json")}

    @stub.post("/events/{event_id}/publish")
    async def publish(event_id: str) -> dict[str, object]:
        return {"id": event_id, "status": "published"}

    @stub.get("/events/{event_id}/registrations")
    async def registrations(event_id: str) -> Page[dict[str, object]]:
        if event_id != "evt_1":
            raise Problem(404, "The event was not found.", kind="not-found")
        rows = [
            ("reg_1", "confirmed", 1),
            ("reg_2", "waitlisted", None),
            ("reg_3", "waitlisted", None),
        ]
        return Page(
            items=[
                {
                    "id": i,
                    "name": f"Navn {i}",
                    "municipality_id": "1804",
                    "status": st,
                    "seat_no": seat,
                }
                for i, st, seat in rows
            ]
        )

    stub.state.seen_keys = seen_keys
    return stub


@pytest.fixture(scope="module")
def stub_url() -> Iterator[tuple[str, FastAPI]]:
    stub = stub_services()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(stub, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}", stub
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def services_at(stub_url: tuple[str, FastAPI], monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    url, stub = stub_url
    for name in ("NETWORK", "EVENTS", "NOTIFICATIONS"):
        monkeypatch.setenv(f"SAMLING_{name}_URL", url)
    monkeypatch.setattr(output, "console", Console(width=200))
    return stub


def test_networks_list_follows_every_page(services_at: FastAPI) -> None:
    result = runner.invoke(app, ["networks", "list"])
    assert result.exit_code == 0, result.output
    for i in range(3):
        assert f"Nettverk {i}" in result.output


def test_ids_are_shown_whole_in_a_narrow_terminal(
    services_at: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(output, "console", Console(width=80))
    result = runner.invoke(app, ["networks", "list"])
    assert result.exit_code == 0, result.output
    assert "net_0mwu19znkd4c1e0a3f77" in result.output  # to paste into the next command
    assert "…" not in result.output  # long names fold rather than lose their end
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_events_schedule_posts_with_an_idempotency_key_and_publishes(
    services_at: FastAPI,
) -> None:
    args = [
        "events",
        "schedule",
        "--title",
        "Dialogkonferanse",
        "--starts-at",
        "2027-02-10T09:00+01:00",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "evt_1" in result.output
    assert "published" in result.output
    assert len(services_at.state.seen_keys[-1]) == 36  # a fresh UUID per call
    draft = runner.invoke(app, [*args, "--draft", "--template", "short_afternoon"])
    assert draft.exit_code == 0, draft.output
    assert '"ends_at": "2027-02-10T12:00:00+01:00"' in draft.output  # three hours
    assert '"kind": "dialogue_conference"' in draft.output


def test_a_start_without_offset_is_refused_before_sending(services_at: FastAPI) -> None:
    before = len(services_at.state.seen_keys)
    result = runner.invoke(
        app, ["events", "schedule", "--title", "Møte", "--starts-at", "2027-02-10T09:00"]
    )
    assert result.exit_code == 2
    assert "offset" in result.output
    assert len(services_at.state.seen_keys) == before


def test_an_unknown_role_is_refused_before_sending(services_at: FastAPI) -> None:
    result = runner.invoke(app, ["networks", "list", "--as", "emperor"])
    assert result.exit_code == 2
    assert "unknown role 'emperor'" in result.output


def test_validation_errors_show_each_invalid_field(services_at: FastAPI) -> None:
    args = ["events", "schedule", "--title", "x", "--starts-at", "2027-02-10T09:00+01:00"]
    result = runner.invoke(app, [*args, "--capacity", "0"])
    assert result.exit_code == 1
    assert "422 Your request contains invalid fields" in result.output
    assert "body.title" in result.output
    assert "body.capacity" in result.output


def test_registrations_list_shows_the_waiting_list_in_order(services_at: FastAPI) -> None:
    result = runner.invoke(app, ["registrations", "list", "evt_1"])
    assert result.exit_code == 0, result.output
    registrations, waiting = result.output.split("Waiting list")
    assert "Navn reg_1" in registrations
    assert "reg_2" not in registrations
    lines = [line for line in waiting.splitlines() if "reg_" in line]
    cells = [[cell.strip() for cell in line.split("│")[1:3]] for line in lines]
    assert cells == [["1", "reg_2"], ["2", "reg_3"]]


def test_not_found_is_shown_as_the_services_problem(services_at: FastAPI) -> None:
    result = runner.invoke(app, ["registrations", "list", "evt_404"])
    assert result.exit_code == 1
    assert "404 Not Found" in result.output
    assert "The event was not found." in result.output
    assert "https://samling.no/problems/not-found" in result.output


def test_an_unreachable_service_is_a_clear_problem(
    services_at: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAMLING_NETWORK_URL", f"http://127.0.0.1:{free_port()}")
    result = runner.invoke(app, ["networks", "list"])
    assert result.exit_code == 1
    assert "503 Service unreachable" in result.output
    assert "Is it running" in result.output
