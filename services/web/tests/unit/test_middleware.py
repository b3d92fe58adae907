"""What wraps every page: the security headers on every kind of answer (a page, a stream, a
crash), a route's own header kept, and the traces without a span per ASGI message."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from samling_web.main import create
from samling_web.settings import WebSettings

SECURITY_HEADERS = (
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
)


def _app() -> FastAPI:
    app = create(WebSettings(environment="test"))

    async def chunks() -> AsyncIterator[bytes]:
        yield b"one "
        yield b"two"

    @app.get("/test/stream")
    async def stream() -> StreamingResponse:
        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/test/own-referrer")
    async def own_referrer() -> Response:
        return Response("private", headers={"Referrer-Policy": "no-referrer"})

    @app.get("/test/crash")
    async def crash() -> Response:
        raise RuntimeError("a bug")

    return app


async def _get(app: FastAPI, path: str) -> httpx.Response:
    async with LifespanManager(app):
        # A crash is answered by the app and then raised again to the server, as uvicorn sees it.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
            return await client.get(path)


def _assert_secured(response: httpx.Response) -> None:
    for name in SECURITY_HEADERS:
        assert len(response.headers.get_list(name)) == 1, name
    assert "unsafe-inline" not in response.headers["content-security-policy"]


async def test_a_streamed_answer_carries_the_security_headers() -> None:
    response = await _get(_app(), "/test/stream")
    assert response.text == "one two"
    _assert_secured(response)


async def test_a_crash_is_a_page_with_the_security_headers() -> None:
    response = await _get(_app(), "/test/crash")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1" in response.text
    assert "a bug" not in response.text
    _assert_secured(response)


async def test_a_routes_own_security_header_is_kept() -> None:
    response = await _get(_app(), "/test/own-referrer")
    _assert_secured(response)
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_an_error_page_carries_the_security_headers() -> None:
    response = await _get(_app(), "/no/such/page")
    assert response.status_code == 404
    _assert_secured(response)


def _spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)  # the web app's own, from configure_telemetry
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter


async def test_a_page_is_one_server_span_without_one_per_asgi_message() -> None:
    app = _app()  # installs the tracer provider first
    exporter = next(_spans())
    response = await _get(app, "/test/stream")
    assert response.status_code == 200
    names = [span.name for span in exporter.get_finished_spans()]
    assert names == ["GET /test/stream"], names


async def test_a_body_too_large_is_a_page_with_the_security_headers() -> None:
    app = _app()
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as client:
            response = await client.post(
                "/events/evt_1/register", content=b"x" * (app.state.settings.max_request_bytes + 1)
            )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    _assert_secured(response)
