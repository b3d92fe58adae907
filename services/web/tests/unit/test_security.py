"""CSRF tokens and signed form keys (no servers: the checks alone, then the app's answer)."""

from __future__ import annotations

import httpx
import pytest
from samling_devtools.testing import running
from samling_web.main import create
from samling_web.security import CsrfRefused, IdempotencyKeys, check_csrf, csrf_token
from samling_web.settings import WebSettings


def test_a_form_must_carry_the_sessions_token() -> None:
    session: dict[str, object] = {}
    token = csrf_token(session)
    assert csrf_token(session) == token  # one per session
    check_csrf(session, {"csrf_token": token})
    for form in ({}, {"csrf_token": ""}, {"csrf_token": token + "x"}):
        with pytest.raises(CsrfRefused):
            check_csrf(session, form)
    with pytest.raises(CsrfRefused):
        check_csrf({}, {"csrf_token": token})  # no session: nothing to match


def test_form_keys_are_bound_to_their_form() -> None:
    keys = IdempotencyKeys("secret")
    signed = keys.issue("register:evt_1")
    key = keys.key(signed, "register:evt_1")
    assert key is not None
    assert len(key) == 32
    assert keys.key(signed, "register:evt_2") is None
    assert keys.key(signed + "x", "register:evt_1") is None
    assert IdempotencyKeys("other").key(signed, "register:evt_1") is None


async def test_a_forged_post_is_refused_before_any_service_is_called() -> None:
    calls: list[str] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(503)

    mock = httpx.MockTransport(upstream)
    app = create(WebSettings(environment="test"), transports={"network": mock, "events": mock})
    async with running(app) as web:
        response = await web.client.post(
            "/events/evt_1/register", data={"csrf_token": "forged", "name": "Mallory"}
        )
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "Skjemaet var utløpt" in response.text
        assert "Content-Security-Policy" in response.headers
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert calls == []
        # And when a service is down, the reader gets a page that says so, not a trace.
        down = await web.client.get("/events/evt_1", headers={"Accept-Language": "en"})
        assert down.status_code == 503
        assert "Samling is not available right now" in down.text
        assert "Traceback" not in down.text
