"""``samling``: a command line for coordinators and developers.

    samling tail samling.events.registrations      # follow a topic as CloudEvents
    samling token coordinator                      # a development bearer token
    samling networks list                          # GET  {network}/networks
    samling events schedule --template one_day …   # POST {events}/events
    samling registrations list evt_123             # GET  {events}/events/{id}/registrations

The HTTP commands are thin: they send what you give them and show what the service answers,
errors as the service's RFC 9457 problem details. Service URLs come from
``SAMLING_NETWORK_URL``, ``SAMLING_EVENTS_URL`` and ``SAMLING_NOTIFICATIONS_URL`` (default: the
local ports of ``make up`` and ``docker compose``); the token from ``--token`` /
``SAMLING_TOKEN``, else a development token for ``--as`` (default coordinator) is minted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

import httpx
import typer
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka
from cloudevents.core.formats.json import JSONFormat
from rich.console import Console, Group
from rich.json import JSON
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from samling_contracts.topics import every_topic_name

from samling_devtools.cli import ROLES, dev_token
from samling_devtools.services import default_services

console = Console()
app = typer.Typer(
    help="Samling for coordinators and developers: topics, tokens and the service APIs.",
    no_args_is_help=True,
)
networks_app = typer.Typer(help="Learning networks (network service).", no_args_is_help=True)
events_app = typer.Typer(help="Events and dialogue conferences.", no_args_is_help=True)
registrations_app = typer.Typer(help="Registrations and waiting lists.", no_args_is_help=True)
app.add_typer(networks_app, name="networks")
app.add_typer(events_app, name="events")
app.add_typer(registrations_app, name="registrations")


# --- tail -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TailedRecord:
    """One Kafka record: its CloudEvent when it is one, else why it is not."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    event: BaseCloudEvent | None
    error: str | None = None
    raw: bytes = b""


def parse_record(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
) -> TailedRecord:
    """Parse a record with the CloudEvents SDK (structured or binary mode)."""
    header_map = {name: raw for name, raw in headers}
    text_headers = {name: raw.decode(errors="replace") for name, raw in headers}
    try:
        event = from_kafka(
            KafkaMessage(headers=header_map, key=key, value=value or b""), JSONFormat()
        )
        error = None
    except Exception as exc:  # not a CloudEvent: show it anyway, with the reason
        event, error = None, f"{type(exc).__name__}: {exc}"
    return TailedRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        key=key.decode(errors="replace") if key is not None else None,
        headers=text_headers,
        event=event,
        error=error,
        raw=value or b"",
    )


async def tail(
    bootstrap: str,
    topic: str,
    *,
    from_beginning: bool = True,
    limit: int | None = None,
    idle_timeout: float | None = None,
) -> AsyncIterator[TailedRecord]:
    """Records of every partition of ``topic``, without joining a consumer group.

    Stops after ``limit`` records, or when nothing arrived for ``idle_timeout`` seconds.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topic)
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        seen = 0
        loop = asyncio.get_running_loop()
        last = loop.time()
        while limit is None or seen < limit:
            batch = await consumer.getmany(timeout_ms=200)
            records = sorted(
                (r for part in batch.values() for r in part), key=lambda r: r.timestamp
            )
            if records:
                last = loop.time()
            elif idle_timeout is not None and loop.time() - last > idle_timeout:
                return
            for record in records:
                yield parse_record(
                    record.topic,
                    record.partition,
                    record.offset,
                    record.key,
                    record.value,
                    list(record.headers),
                )
                seen += 1
                if limit is not None and seen >= limit:
                    return
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    found = consumer.partitions_for_topic(topic)
    if not found:
        await consumer._client.force_metadata_update()
        found = consumer.partitions_for_topic(topic)
    if not found:
        raise typer.BadParameter(f"topic {topic!r} does not exist on this Kafka")
    return [TopicPartition(topic, p) for p in sorted(found)]


def render_record(record: TailedRecord) -> Panel:
    where = f"{record.topic}[{record.partition}]@{record.offset}  key={record.key}"
    if record.event is None:
        body = Text(record.raw.decode(errors="replace")[:2000])
        return Panel(body, title=f"[red]not a CloudEvent[/]: {record.error}", subtitle=where)
    event = record.event
    time: datetime | None = event.get_time()
    header = Text.assemble(
        (event.get_type(), "bold cyan"),
        "  ",
        (f"subject={event.get_subject()}", "green"),
        "  ",
        (f"id={event.get_id()}", "dim"),
    )
    parts: list[Any] = [header]
    reason = record.headers.get("dlq-reason")
    if reason:
        parts.append(Text(f"dead-lettered: {reason}", style="bold red"))
    parts.append(JSON(json.dumps(event.get_data(), ensure_ascii=False, default=str)))
    title = time.isoformat() if time else ""
    return Panel(Group(*parts), title=title, subtitle=where, title_align="left")


def json_line(record: TailedRecord) -> dict[str, Any]:
    """The event's attributes and data; where it came from and why, for a non-CloudEvent."""
    if record.event is None:
        where = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        return {**where, "error": record.error}
    return {**record.event.get_attributes(), "data": record.event.get_data()}


@app.command("tail")
def tail_command(
    topic: Annotated[str, typer.Argument(help="Topic name, e.g. samling.events.registrations.")],
    bootstrap: Annotated[
        str, typer.Option(envvar="SAMLING_KAFKA_BOOTSTRAP", help="Kafka bootstrap servers.")
    ] = "127.0.0.1:9092",
    from_beginning: Annotated[
        bool, typer.Option("--from-beginning/--new-only", help="Start at the oldest record.")
    ] = True,
    limit: Annotated[int | None, typer.Option(help="Stop after this many records.")] = None,
    idle: Annotated[
        float | None, typer.Option(help="Stop when nothing arrived for this many seconds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per event.")] = False,
) -> None:
    """Follow a topic and show each record as a CloudEvent (Ctrl-C stops)."""
    if topic not in every_topic_name():
        known = ", ".join(n for n in every_topic_name() if not n.endswith(".dlq"))
        console.print(f"[yellow]{topic} is not a Samling topic[/] (known: {known})")

    async def run() -> None:
        async for record in tail(
            bootstrap, topic, from_beginning=from_beginning, limit=limit, idle_timeout=idle
        ):
            if as_json:
                typer.echo(json.dumps(json_line(record), default=str, ensure_ascii=False))
            else:
                console.print(render_record(record))

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


# --- token ----------------------------------------------------------------------------------


@app.command("token")
def token_command(
    role: Annotated[str, typer.Argument(help=f"One of: {', '.join(ROLES)}")] = "coordinator",
    header: Annotated[
        bool, typer.Option("--header", help="Print as an Authorization header.")
    ] = False,
) -> None:
    """Print a development bearer token (signed with the development key)."""
    if role not in ROLES:
        raise typer.BadParameter(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    token = dev_token(role)
    typer.echo(f"Authorization: Bearer {token}" if header else token)


# --- HTTP -----------------------------------------------------------------------------------


class ApiProblem(Exception):
    """A service answered with an error (RFC 9457 problem details when it could)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or str(status))
        self.status = status
        self.problem = problem


def render_problem(error: ApiProblem) -> Panel:
    problem = error.problem
    lines = [Text(str(problem.get("detail") or problem.get("title") or ""), style="bold")]
    for param in problem.get("invalid-params") or []:
        lines.append(Text(f"  • {param.get('name')}: {param.get('reason')}"))
    if problem.get("type") not in (None, "about:blank"):
        lines.append(Text(str(problem["type"]), style="dim"))
    title = f"{error.status} {problem.get('title', 'Error')}"
    return Panel(Group(*lines), title=f"[red]{title}[/]", title_align="left")


@dataclass
class Api:
    """A small async client for one service; raises :class:`ApiProblem` on errors."""

    base_url: str
    token: str
    transport: httpx.AsyncBaseTransport | None = None

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            transport=self.transport,
            timeout=15,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._client() as client:
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise ApiProblem(
                    503,
                    {
                        "title": "Service unreachable",
                        "detail": f"No answer from {self.base_url}: {exc}. Is it running "
                        "(make up / docker compose up)?",
                    },
                ) from exc
        if response.is_error:
            try:
                body = response.json()
            except ValueError:
                body = {"title": response.reason_phrase, "detail": response.text[:500]}
            raise ApiProblem(response.status_code, body if isinstance(body, dict) else {})
        return response.json() if response.content else None

    async def pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a cursor-paginated list."""
        items: list[Any] = []
        query = dict(params or {})
        while True:
            page = await self.request("GET", path, params=query)
            items += page.get("items", [])
            if not page.get("next_cursor"):
                return items
            query["cursor"] = page["next_cursor"]


def service_url(name: str) -> str:
    default = {s.name: s.url for s in default_services()}[name]
    return os.environ.get(f"SAMLING_{name.upper()}_URL", default).rstrip("/")


TokenOption = Annotated[
    str | None, typer.Option("--token", envvar="SAMLING_TOKEN", help="Bearer token to send.")
]
RoleOption = Annotated[
    str, typer.Option("--as", help="Mint a development token for this role if no --token.")
]


def api_for(service: str, token: str | None, role: str) -> Api:
    return Api(service_url(service), token or dev_token(role))


def call(work: Callable[[], Any]) -> Any:
    """Run an API call; show problem details nicely and exit 1 on an error."""
    try:
        return asyncio.run(work())
    except ApiProblem as error:
        console.print(render_problem(error))
        raise typer.Exit(1) from None


def table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> Table:
    result = Table(title=title)
    for column in columns:
        if column == "id" or column.endswith("_id"):
            # Ids are what the next command needs: shown whole; the other columns wrap, and a
            # word too long for its column folds instead of losing its end.
            widest = max((len(_show(row.get(column))) for row in rows), default=len(column))
            result.add_column(column, no_wrap=True, min_width=max(widest, len(column)))
        else:
            result.add_column(column, overflow="fold", min_width=len(column))
    for row in rows:
        result.add_row(*(_show(row.get(c)) for c in columns))
    return result


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@networks_app.command("list")
def networks_list(
    region: Annotated[str | None, typer.Option(help="Only this region's networks.")] = None,
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """List learning networks."""
    api = api_for("network", token, role)
    params = {"region_id": region} if region else {}
    items = call(lambda: api.pages("/networks", params))
    console.print(table("Networks", items, ["id", "name", "region_id", "field", "archived"]))


TEMPLATES: dict[str, timedelta] = {
    "one_day": timedelta(hours=6),  # all four parts in five to six hours
    "two_days": timedelta(hours=30),  # 09:00 the first day to 15:00 the next
    "short_afternoon": timedelta(hours=3),  # parts 2 and 3; 1 and 4 as pre-/follow-up work
}
"""Dialogue conference shapes (docs: DOMAIN.md) and how long each lasts."""


def _aware(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise typer.BadParameter(
            f"{option}: give a time with its offset, e.g. 2027-02-10T09:00+01:00"
        )
    return parsed


@events_app.command("schedule")
def events_schedule(
    title: Annotated[str, typer.Option(help="Title of the event.")],
    starts_at: Annotated[str, typer.Option(help="Start, ISO 8601 with offset.")],
    template: Annotated[
        str, typer.Option(help=f"Shape: {', '.join(TEMPLATES)}; sets the end.")
    ] = "one_day",
    ends_at: Annotated[
        str | None, typer.Option(help="End, instead of the template's length.")
    ] = None,
    kind: Annotated[str, typer.Option(help="Kind of event.")] = "dialogue_conference",
    network: Annotated[str | None, typer.Option(help="Owning network id.")] = None,
    capacity: Annotated[int, typer.Option(help="Seats in total.")] = 60,
    venue: Annotated[str | None, typer.Option(help="Venue address.")] = None,
    timezone: Annotated[str, typer.Option(help="Time zone.")] = "Europe/Oslo",
    publish: Annotated[
        bool, typer.Option("--publish/--draft", help="Open registration at once.")
    ] = True,
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """Schedule an event from a template (POST /events with an Idempotency-Key, then publish)."""
    if template not in TEMPLATES:
        raise typer.BadParameter(f"unknown template {template!r}; choose {', '.join(TEMPLATES)}")
    start = _aware(starts_at, "--starts-at")
    end = _aware(ends_at, "--ends-at") if ends_at else start + TEMPLATES[template]
    api = api_for("events", token, role)
    body = {
        "kind": kind,
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "timezone": timezone,
        "capacity": capacity,
        "network_id": network,
        "venue": venue,
    }
    body = {k: v for k, v in body.items() if v is not None}

    async def schedule() -> Any:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        created = await api.request("POST", "/events", json=body, headers=key)
        if publish:
            created = await api.request("POST", f"/events/{created['id']}/publish")
        return created

    created = call(schedule)
    console.print(Panel(JSON(json.dumps(created, ensure_ascii=False)), title="Scheduled"))


@registrations_app.command("list")
def registrations_list(
    event_id: Annotated[str, typer.Argument(help="Event id.")],
    token: TokenOption = None,
    role: RoleOption = "coordinator",
) -> None:
    """Show an event's registrations and its waiting list (in arrival order)."""
    api = api_for("events", token, role)
    items = call(lambda: api.pages(f"/events/{event_id}/registrations"))
    waiting = [i for i in items if i.get("status") == "waitlisted"]
    others = [i for i in items if i.get("status") != "waitlisted"]
    for position, item in enumerate(waiting, start=1):
        item["position"] = position
    columns = ["id", "name", "municipality_id"]
    console.print(table(f"Registrations for {event_id}", others, [*columns, "status", "seat_no"]))
    console.print(table("Waiting list", waiting, ["position", *columns]))


def main() -> None:
    app()
