"""``samling.events.registrations``: the registrations' read model, the participant's own
notices, approvals, attendance and erasure."""

from __future__ import annotations

import asyncio

from samling_contracts import CloudEvent
from samling_contracts.events import (
    AttendanceRecorded,
    ParticipantAnonymised,
    ParticipantErased,
    RegistrationAwaitingApproval,
)

from samling_notifications.adapters.email.links import event_page
from samling_notifications.adapters.store import audience
from samling_notifications.adapters.store.notices import event_params
from samling_notifications.domain.audience import (
    Registration,
    WebhookAudience,
    registration_notice,
)
from samling_notifications.domain.notices import Kind, Recipient, RecipientType
from samling_notifications.handlers import transfer
from samling_notifications.handlers.context import Context


async def registration(ctx: Context, fact: Registration, event: CloudEvent) -> None:
    kind, status, params = registration_notice(fact)
    # The read model and the event's details are independent: one round trip, not two, before
    # the notice (every effect is keyed, so a redelivery after a failure of either is safe).
    _, about_event = await asyncio.gather(
        ctx.stores.registration_views.record(fact, status),
        event_params(ctx.stores, fact.event_id),
    )
    if status in ("cancelled", "declined"):
        # A registration that is gone has a transfer plan that reminds nobody.
        await ctx.stores.agenda.drop_of_registration(fact.event_id, fact.registration_id)
    await ctx.notify(
        kind,
        event.id,
        [Recipient(id=fact.participant_id, type=RecipientType.PARTICIPANT)],
        {"event_id": fact.event_id, "registration_id": fact.registration_id},
        {**about_event, **params},
    )


async def awaiting_approval(
    ctx: Context, fact: RegistrationAwaitingApproval, event: CloudEvent
) -> None:
    """The municipality's contact persons decide: the mail opens the event's page."""
    await ctx.notify(
        Kind.REGISTRATION_AWAITING_APPROVAL,
        event.id,
        await audience.contacts_of(ctx.stores, [fact.municipality_id]),
        {"event_id": fact.event_id, "registration_id": fact.registration_id},
        {
            **await event_params(ctx.stores, fact.event_id),
            "event_url": event_page(ctx.app_url, fact.event_id),
        },
    )


async def attendance(ctx: Context, fact: AttendanceRecorded, event: CloudEvent) -> None:
    await ctx.stores.registration_views.record_attendance(fact)


async def who_knew(
    ctx: Context, fact: ParticipantErased | ParticipantAnonymised
) -> WebhookAudience:
    """The municipalities the participant registered through hear of the erasure. Read before
    the registrations go (the table forwards this fact first: a redelivery after a crash
    finds the deliveries queued already)."""
    registered = ctx.stores.registration_views
    return WebhookAudience(
        taking_part=await registered.municipalities_of_participant(fact.participant_id)
    )


async def erased(
    ctx: Context, fact: ParticipantErased | ParticipantAnonymised, event: CloudEvent
) -> None:
    """Asked to be forgotten, or past the retention after their last event: the same."""
    stores = ctx.stores
    pid = fact.participant_id
    await stores.registration_views.forget_participant(pid)
    await transfer.participant_gone(stores, pid)
    await stores.inbox.forget_reads_of(pid)
    await stores.notice_log.erase_of(pid)
    # The marker comes last, so whoever sees it sees the rest done.
    await stores.people.forget_participant(pid)
