"""The common shape of a Samling service: FastAPI + FastStream + AsyncMongoClient + relay.

A service describes itself with a :class:`ServiceSpec`; :func:`create_app` wires the rest:
settings, JSON logs, telemetry, the Mongo client (made at startup), the Kafka broker started in
the app's lifespan (FastStream's FastAPI plugin is deprecated), the outbox relay, fact
subscriptions with dedupe and dead-lettering, problem details, health and AsyncAPI docs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from faststream.specification.asyncapi.site import get_asyncapi_html
from samling_contracts import CloudEvent, Topic

from samling_runtime.auth import TokenVerifier
from samling_runtime.body_limit import BodyLimit
from samling_runtime.clock import Clock, SystemClock
from samling_runtime.health import health_router
from samling_runtime.idempotency import IdempotencyKeys
from samling_runtime.kafka import FactSubscriptions, hand_over, make_broker
from samling_runtime.logs import configure_logging
from samling_runtime.mongo import Mongo
from samling_runtime.openapi_problems import document_problems
from samling_runtime.outbox import OutboxRelay
from samling_runtime.problems import install_problem_handlers
from samling_runtime.processed import ProcessedEvents
from samling_runtime.request_limit import ConcurrencyLimit
from samling_runtime.settings import ServiceSettings
from samling_runtime.store import AggregateStore
from samling_runtime.sweep import RetentionSweep
from samling_runtime.telemetry import configure_telemetry, instrument_app
from samling_runtime.time_buckets import TimeBuckets
from samling_runtime.timeline import Timeline

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a running service holds; handlers and routes reach it through ``app.state``."""

    settings: ServiceSettings
    mongo: Mongo
    broker: KafkaBroker
    clock: Clock
    processed: ProcessedEvents
    idempotency: IdempotencyKeys
    retention: RetentionSweep
    """Started after ``setup``, which may add the service's own steps to it."""
    relay: OutboxRelay | None = None
    state: dict[str, Any] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def recorded(self, store: AggregateStore[Any], revisions: list[dict[str, Any]]) -> None:
        if self.relay is not None:
            self.relay.recorded(store, revisions)

    def store(
        self,
        name: str,
        model: type[Any],
        *timelines: Timeline,
        buckets: Sequence[TimeBuckets] = (),
    ) -> AggregateStore[Any]:
        return AggregateStore(
            self.mongo.db,
            name,
            model,
            source=f"/samling/{self.settings.service_name}",
            on_recorded=self.recorded,
            now=self.clock.now,
            timelines=timelines,
            buckets=buckets,
        )

    def background(self, coro: Awaitable[None], name: str) -> None:
        self.tasks.append(asyncio.create_task(_supervised(coro, name), name=name))


async def _supervised(coro: Awaitable[None], name: str) -> None:
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task %s stopped", name)


async def _stop_consuming(broker: KafkaBroker) -> None:
    for subscriber in broker.subscribers:
        try:
            await subscriber.stop()
        except Exception:
            log.exception("could not stop consuming %s cleanly", subscriber)


RuntimeRef = Callable[[], Runtime]
Setup = Callable[[Runtime], Awaitable[Sequence[AggregateStore[Any]]]]


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    settings: ServiceSettings
    routers: Sequence[APIRouter] = ()
    subscriptions: Callable[[RuntimeRef], FactSubscriptions] | None = None
    """Builds the fact handlers; they reach the started service through the given getter."""
    publishes: Sequence[Topic] = ()
    setup: Setup | None = None
    """Creates the service's stores and indexes, starts its background work; returns the
    stores whose facts the relay publishes."""
    clock: Clock = field(default_factory=SystemClock)
    version: str = "0.1.0"


def create_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    configure_logging(spec.name, settings.log_level)
    configure_telemetry(spec.name, settings.otlp_endpoint)
    group = settings.consumer_group or f"samling-{spec.name}"
    broker = make_broker(settings.kafka_bootstrap, client_id=f"samling-{spec.name}", group=group)
    for topic in spec.publishes:
        broker.publisher(
            topic.name,
            title=f"{topic.name}:publish",
            description=topic.description,
            schema=CloudEvent,
        )

    app_ref: list[FastAPI] = []
    subscriptions: FactSubscriptions | None = None
    if spec.subscriptions is not None:
        # Subscribers exist before start (and in the AsyncAPI document); the store they need
        # exists only once the app has started.
        def runtime() -> Runtime:
            started: Runtime = app_ref[0].state.runtime
            return started

        subscriptions = spec.subscriptions(runtime)
        subscriptions.attach(broker, group, lambda: runtime().processed)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo = Mongo(settings.mongo_url, settings.mongo_db)
        processed = ProcessedEvents(mongo.db, group=group, now=spec.clock.now)
        idempotency = IdempotencyKeys(
            mongo.db,
            now=spec.clock.now,
            retention=timedelta(hours=settings.idempotency_retention_hours),
        )
        runtime = Runtime(
            settings=settings,
            mongo=mongo,
            broker=broker,
            clock=spec.clock,
            processed=processed,
            idempotency=idempotency,
            retention=RetentionSweep(
                spec.clock,
                idempotency=idempotency,
                processed=processed,
                processed_retention=timedelta(days=settings.processed_retention_days),
                interval=settings.retention_sweep_interval_seconds,
            ),
        )
        app.state.runtime = runtime
        app.state.token_verifier = TokenVerifier(settings)
        await runtime.retention.prepare()
        stores = list(await spec.setup(runtime)) if spec.setup else []
        if stores:
            runtime.relay = OutboxRelay(
                stores, partial(hand_over, broker), interval=settings.relay_interval_seconds
            )
        await broker.start()
        if runtime.relay is not None:
            runtime.background(runtime.relay.run(), "outbox-relay")
        runtime.background(runtime.retention.run(), "retention-sweep")
        try:
            yield
        finally:
            # A graceful stop, in order: take no new facts (the facts under way finish, a batch
            # leaves the rest uncommitted, the group hands this instance's partitions to the
            # others), then let the background
            # work finish what it holds, then close the producer and the store.
            if subscriptions is not None:
                subscriptions.stop_taking()
            await _stop_consuming(broker)
            for task in runtime.tasks:
                task.cancel()
            await asyncio.gather(*runtime.tasks, return_exceptions=True)
            await broker.stop()
            await mongo.close()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        openapi_url="/openapi.json",
    )
    app_ref.append(app)
    app.state.settings = settings  # samling_runtime.server configures uvicorn from them
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(ConcurrencyLimit, max_requests=settings.max_concurrent_requests)
    instrument_app(app)

    def checks(request: Request) -> dict[str, Callable[[], Awaitable[object]]]:
        runtime: Runtime = request.app.state.runtime
        return {"store": runtime.mongo.ping, "kafka": partial(runtime.broker.ping, 2.0)}

    app.include_router(health_router(checks))
    for router in spec.routers:
        app.include_router(router)
    document_problems(app)

    asyncapi = AsyncAPI(
        broker, title=f"{spec.title} — Kafka", version=spec.version, description=spec.description
    )

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi_json() -> JSONResponse:
        return JSONResponse(asyncapi.to_specification().to_jsonable())

    @app.get("/asyncapi", include_in_schema=False)
    async def asyncapi_html() -> HTMLResponse:
        return HTMLResponse(get_asyncapi_html(asyncapi.to_specification(), try_it_out_path=None))

    return app


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def current_runtime(request: Request) -> Runtime:
    """``runtime_of`` as a FastAPI dependency. Dependencies are ``async`` on purpose: FastAPI
    runs a plain function in its thread pool, a thread hop per request for a dictionary lookup."""
    return runtime_of(request)
