"""The input rules every service shares: body size, plain text, known fields, bounded pages,
and one answer for a write conflict."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from samling_runtime.body_limit import BodyLimit
from samling_runtime.inputs import MultiLine, RequestBody, SingleLine, page_limit
from samling_runtime.problems import install_problem_handlers
from samling_runtime.store import WriteConflict


class Note(RequestBody):
    title: SingleLine
    body: MultiLine = ""


def make_app(max_bytes: int = 2048) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=max_bytes)

    @app.post("/notes", status_code=201)
    async def create(note: Note) -> dict[str, Any]:
        return note.model_dump()

    @app.get("/notes")
    async def listing(limit: int = page_limit(20, maximum=50)) -> dict[str, int]:
        return {"limit": limit}

    @app.post("/contended")
    async def contended() -> None:
        raise WriteConflict("agg_1")

    return app


@pytest.fixture
def app() -> FastAPI:
    return make_app()


async def test_a_body_over_the_limit_is_413_problem_details(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "x", "body": "a" * 5000})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert "2048 bytes" in response.json()["detail"]


async def test_a_chunked_body_over_the_limit_is_cut_off(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "x", "body": "'
        for _ in range(10):
            yield b"a" * 500
        yield b'"}'

    response = await client.post(
        "/notes", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_body_under_the_limit_passes(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "Plan", "body": "line 1\nline 2\tend"})
    assert response.status_code == 201
    assert response.json()["body"] == "line 1\nline 2\tend"


@pytest.mark.parametrize("title", ["a\x00b", "tab\there", "new\nline", "esc\x1b[31m"])
async def test_control_characters_in_a_single_line_field_are_422(
    client: httpx.AsyncClient, title: str
) -> None:
    response = await client.post("/notes", json={"title": title})
    assert response.status_code == 422
    assert response.json()["invalid-params"][0]["name"] == "body.title"


async def test_a_multi_line_field_refuses_nul_but_keeps_line_breaks(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/notes", json={"title": "ok", "body": "a\x00"})
    assert response.status_code == 422
    assert "control characters" in response.json()["detail"]


async def test_an_unknown_field_is_422_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.post("/notes", json={"title": "ok", "titel": "typo"})
    assert response.status_code == 422
    assert response.json()["invalid-params"] == [
        {"name": "body.titel", "reason": "This field is not allowed here."}
    ]


@pytest.mark.parametrize("limit", ["-1", "0", "51", "99999999999999999999"])
async def test_a_page_limit_out_of_bounds_is_422(client: httpx.AsyncClient, limit: str) -> None:
    response = await client.get("/notes", params={"limit": limit})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_page_limit_in_bounds_passes(client: httpx.AsyncClient) -> None:
    assert (await client.get("/notes", params={"limit": "50"})).json() == {"limit": 50}
    assert (await client.get("/notes")).json() == {"limit": 20}


async def test_a_write_conflict_is_a_retryable_409_everywhere(client: httpx.AsyncClient) -> None:
    response = await client.post("/contended")
    assert response.status_code == 409
    assert response.headers["retry-after"] == "1"
    assert response.json()["type"].endswith("/write-conflict")
