"""OpenTelemetry traces and metrics, exported over OTLP/HTTP when an endpoint is configured."""

import contextlib
from collections.abc import Iterator, Mapping

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind

_configured = False


def configure_telemetry(service: str, otlp_endpoint: str | None) -> None:
    """Install providers once per process; without an endpoint spans still get ids for logs."""
    global _configured
    if _configured:
        return
    _configured = True
    resource = Resource.create({"service.name": f"samling-{service}"})
    tracer_provider = TracerProvider(resource=resource)
    readers = []
    if otlp_endpoint:
        endpoint = otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces"))
        )
        readers.append(
            PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=f"{endpoint}/v1/metrics"))
        )
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(MeterProvider(resource=resource, metric_readers=readers))
    PymongoInstrumentor().instrument()


def instrument_app(app: FastAPI, *, message_spans: bool = True) -> None:
    """A server span per request; ``message_spans`` adds an internal span per ASGI message
    received and sent (``http receive``, ``http send``)."""
    FastAPIInstrumentor.instrument_app(
        app,
        excluded_urls="healthz,readyz",
        exclude_spans=None if message_spans else ["receive", "send"],
    )


# -- one trace from a request through the outbox to every consumer -------------------------
# A fact is published by the relay, long after (and outside) the request that made it. The
# revision keeps the W3C trace context of that request (as Debezium's outbox keeps a tracing
# column) and the relay publishes the fact under it; FastStream's telemetry middleware then
# carries it in the Kafka headers to every consumer.


def current_trace() -> dict[str, str]:
    """The W3C trace context (``traceparent``, ``tracestate``) of the current span; empty
    outside a trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def continued(
    carrier: Mapping[str, str] | None, name: str, kind: SpanKind = SpanKind.INTERNAL
) -> Iterator[Span]:
    """A span in the trace ``carrier`` names (a new trace when it names none)."""
    parent = propagate.extract(carrier) if carrier else Context()
    with trace.get_tracer("samling").start_as_current_span(name, parent, kind) as span:
        yield span


def forget_trace() -> None:
    """Leave whatever trace the current task inherited from the request that started it: a
    long-lived task's spans belong to no single request."""
    otel_context.attach(Context())
