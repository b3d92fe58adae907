"""Every fact the service consumes, its handler, and whether it is forwarded to webhooks.

Forwarding is declared here, once per row: after the handler (the default), first (an
erasure: who knew the participant is read before the handler deletes it), or never (the
restricted topics' facts carry addresses). A row's ``audience`` is what webhook owners must be
known to see beyond the fact itself (see :mod:`samling_notifications.domain.visibility`).

Every effect is keyed, so a redelivery (after a crash between the effect and the
processed-event marker) changes nothing: read models are upserts by id guarded by the event's
order (``sequence``), notices go through the unique (recipient, fact, kind, channel) index,
webhook deliveries through the unique (endpoint, fact) index.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from samling_contracts import CloudEvent, Fact, Topic
from samling_contracts import events as about_events
from samling_contracts import network as about_networks
from samling_contracts import transfer as about_transfer
from samling_runtime.kafka import Batches, FactSubscriptions

from samling_notifications.domain.audience import REGISTRATION_KINDS, WebhookAudience
from samling_notifications.handlers import (
    contacts,
    events,
    municipalities,
    networks,
    participants,
    registrations,
    reports,
    transfer,
)
from samling_notifications.handlers.context import Context

Handler = Callable[[Context, Any, CloudEvent], Awaitable[None]]
Audience = Callable[[Context, Any], Awaitable[WebhookAudience]]


class Forward(Enum):
    AFTER = "after"
    FIRST = "first"
    NEVER = "never"


@dataclass(frozen=True)
class Row:
    facts: tuple[type[Fact], ...]
    handle: Handler
    forward: Forward = Forward.AFTER
    audience: Audience | None = None


TABLE: tuple[Row, ...] = (
    # samling.network.networks
    Row((about_networks.NetworkCreated, about_networks.NetworkUpdated), networks.named),
    Row(
        (about_networks.MunicipalityJoinedNetwork, about_networks.MunicipalityLeftNetwork),
        networks.membership,
    ),
    Row((about_networks.AnnouncementPosted,), networks.announcement),
    # samling.network.municipalities
    Row((about_networks.MunicipalityRegistered,), municipalities.registered),
    # samling.network.contacts.restricted
    Row((about_networks.ContactPersonsChanged,), contacts.changed, Forward.NEVER),
    # samling.network.reports
    Row((about_networks.ReportPublished, about_networks.ReportRevised), reports.published),
    Row(
        (about_networks.ReportWithdrawn,), reports.withdrawn, audience=reports.readers_of_withdrawn
    ),
    # samling.events.events
    Row((about_events.EventScheduled,), events.scheduled),
    Row(
        (about_events.EventUpdated, about_events.EventRescheduled, about_events.EventCancelled),
        events.changed,
    ),
    Row((about_events.EventCompleted,), events.completed),
    Row(
        (about_events.AssignmentAssigned, about_events.AssignmentDue),
        events.assignment,
        audience=events.taking_part,
    ),
    # samling.events.registrations
    Row(tuple(REGISTRATION_KINDS), registrations.registration),
    Row((about_events.RegistrationAwaitingApproval,), registrations.awaiting_approval),
    Row((about_events.AttendanceRecorded,), registrations.attendance),
    Row(
        (about_events.ParticipantErased, about_events.ParticipantAnonymised),
        registrations.erased,
        Forward.FIRST,
        audience=registrations.who_knew,
    ),
    Row((about_transfer.TransferPlanCreated,), transfer.plan_created),
    Row((about_transfer.TransferPlanRescheduled,), transfer.plan_rescheduled),
    Row((about_transfer.TransferConversationHeld,), transfer.conversation_held),
    # samling.events.participants.restricted
    Row((about_events.ParticipantContactRecorded,), participants.contact_recorded, Forward.NEVER),
    Row((about_transfer.TransferManagerNamed,), transfer.manager_named, Forward.NEVER),
)


def consumed_topics() -> list[Topic]:
    """The topics the table reads, in the order they first appear in it."""
    return list(dict.fromkeys(fact.spec().topic for row in TABLE for fact in row.facts))


def order_key(event: CloudEvent) -> str:
    """What the intake keeps in order (see ``samling_runtime.kafka.Batches``): every fact
    about a registration, and a participant's erasure, names the participant, and their
    effects (the registration's read model, the participant's notices) are the participant's
    own; so a batch's facts about one event's registrations are handled concurrently, one
    participant's in order. Other facts keep their aggregate's order (the record key)."""
    participant = event.data.get("participant_id")
    return f"participant:{participant}" if isinstance(participant, str) else event.partitionkey


def subscriptions(context: Callable[[], Context]) -> FactSubscriptions:
    """The table as Kafka subscriptions; ``context`` is asked per fact (it exists only once
    the service has started)."""
    subs = FactSubscriptions(Batches(order_key=order_key))
    for row in TABLE:
        subs.on(*row.facts)(_dispatcher(row, context))
    return subs


def _dispatcher(
    row: Row, context: Callable[[], Context]
) -> Callable[[Any, CloudEvent], Awaitable[None]]:
    async def dispatch(fact: Any, event: CloudEvent) -> None:
        await handle(row, context(), fact, event)

    return dispatch


async def handle(row: Row, ctx: Context, fact: Fact, event: CloudEvent) -> None:
    """Run ``row``'s handler and forward the fact as the row says."""
    if row.forward is Forward.NEVER:
        await row.handle(ctx, fact, event)
        return
    audience = WebhookAudience() if row.audience is None else await row.audience(ctx, fact)
    if row.forward is Forward.FIRST:
        await ctx.forward(event, audience)
    await row.handle(ctx, fact, event)
    if row.forward is Forward.AFTER:
        await ctx.forward(event, audience)


def row_for(fact_type: type[Fact]) -> Row:
    """The row that handles ``fact_type`` (tests dispatch through it)."""
    return next(row for row in TABLE if fact_type in row.facts)
