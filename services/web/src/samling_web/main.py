"""The Samling web app: server-rendered pages over the network and events APIs.

Run with ``uvicorn --factory samling_web.main:create``. Tests pass ``transports`` to reach
services running in the same process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.health import Check, health_router
from samling_runtime.logs import configure_logging
from samling_runtime.settings import Environment
from samling_runtime.telemetry import configure_telemetry, instrument_app
from starlette.middleware.sessions import SessionMiddleware

from samling_web.assets import Assets, assets_router
from samling_web.deps import Web
from samling_web.errors import HtmlBodyLimit, install_error_pages
from samling_web.figures_feed import FiguresFeed, consuming
from samling_web.i18n import Catalogues
from samling_web.notifications_api import Notifications
from samling_web.pages import (
    approvals,
    calendar,
    event,
    inbox,
    language,
    manage,
    my_registrations,
    networks,
    participant,
    preferences,
    report_library,
    reports,
    transfer,
    workspace_checkin,
    workspace_contacts,
    workspace_dashboard,
    workspace_evaluation,
    workspace_event,
    workspace_groups,
    workspace_home,
    workspace_memberships,
    workspace_networks,
    workspace_plan,
    workspace_plan_changes,
    workspace_planning,
    workspace_reports,
    workspace_series,
    workspace_staff,
    workspace_webhooks,
)
from samling_web.ratelimit import TokenBucket
from samling_web.rendering import Pages
from samling_web.security import IdempotencyKeys, SecurityHeaders, security_headers
from samling_web.service_token import ServiceToken
from samling_web.settings import WebSettings
from samling_web.signin import install_signin, signin_form_targets
from samling_web.unread import unread_in_header
from samling_web.upstream_api import Api, pooled_clients
from samling_web.upstream_tokens import Tokens
from samling_web.upstreams import Services

SESSION_COOKIE = "samling_session"
SESSION_SECONDS = 24 * 3600


def _checks(request: Request) -> dict[str, Check]:
    web: Web = request.app.state.web
    return {"network": web.services.network.ready, "events": web.services.events.ready}


@asynccontextmanager
async def _own_token(settings: WebSettings) -> AsyncIterator[Callable[[], str] | None]:
    """The provider's client-credentials token when the services verify through its JWKS."""
    if not (settings.jwt_jwks_url and settings.oidc_issuer):
        yield None
        return
    async with ServiceToken(settings).kept_fresh() as token:
        yield token.current


def create(
    settings: WebSettings | None = None,
    *,
    clock: Clock | None = None,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    node_modules: Path | None = None,
) -> FastAPI:
    settings = settings or WebSettings()
    configure_logging("web", settings.log_level)
    configure_telemetry("web", settings.otlp_endpoint)
    assets = Assets.load(node_modules or settings.assets_dir)
    pages = Pages(Catalogues.load(), assets)
    secret = settings.session_secret.get_secret_value()
    transports = transports or {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        network = pooled_clients(settings.network_url, settings, transports.get("network"))
        events = pooled_clients(settings.events_url, settings, transports.get("events"))
        notifications = pooled_clients(
            settings.notifications_url, settings, transports.get("notifications")
        )
        figures = FiguresFeed()
        group = settings.consumer_group or "samling-web"

        def api(name: str, clients: list[httpx.AsyncClient]) -> Api:
            limit, wait = settings.upstream_connections, settings.upstream_timeout_seconds
            return Api(name, clients, connections=limit, wait_seconds=wait)

        async with (
            AsyncExitStack() as clients,
            _own_token(settings) as issued,
            consuming(figures, settings.kafka_bootstrap, group),
        ):
            for client in (*network, *events, *notifications):
                await clients.enter_async_context(client)
            app.state.web = Web(
                settings=settings,
                services=Services(
                    api("network", network), api("events", events), Tokens(settings, issued)
                ),
                pages=pages,
                keys=IdempotencyKeys(secret),
                clock=clock or SystemClock(),
                notifications=Notifications(api("notifications", notifications)),
                register_limit=TokenBucket(settings.register_burst, settings.register_per_hour),
                figures=figures,
            )
            yield

    app = FastAPI(
        title="Samling web app",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings  # samling_runtime.server configures uvicorn from them
    for router in (
        calendar.router,
        event.router,
        manage.router,
        participant.router,
        transfer.router,
        language.router,
        preferences.router,
        reports.router,
        networks.router,
        approvals.router,
        report_library.router,
        workspace_reports.router,
        workspace_webhooks.router,
        workspace_home.router,
        workspace_dashboard.router,
        workspace_event.router,
        workspace_checkin.router,
        my_registrations.router,
        inbox.router,
        # Before the event's own pages: /workspace/planning/new is not an event id.
        workspace_planning.router,
        workspace_plan.router,
        workspace_plan_changes.router,
        workspace_series.router,
        workspace_groups.router,
        workspace_evaluation.router,
        workspace_memberships.router,
        workspace_contacts.router,
        workspace_staff.router,
        workspace_networks.router,
    ):
        # Every page's header shows a signed-in person's unread count.
        app.include_router(router, dependencies=[Depends(unread_in_header)])
    app.include_router(assets_router(assets))
    app.include_router(health_router(_checks))
    development = settings.environment in (Environment.DEVELOPMENT, Environment.TEST)
    security = security_headers(hsts=not development, form_targets=signin_form_targets(settings))
    install_error_pages(app, pages, security)
    install_signin(app, settings)
    # Added last to first: the headers first (so a 413 page has them too), then the body
    # limit, then the session.
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_SECONDS,
        same_site="lax",
        https_only=not development,
    )
    app.add_middleware(HtmlBodyLimit, max_bytes=settings.max_request_bytes, pages=pages)
    app.add_middleware(SecurityHeaders, headers=security)
    # No span per ASGI message: two to five more spans a page, each with its attributes, cost
    # more CPU than the page's own (make bench-web); the server span has status and size.
    instrument_app(app, message_spans=False)
    return app
