"""``samling.events.registrations``: the registrations' read model, the participant's own
notices, approvals, attendance and erasure."""

from __future__ import annotations

from pymongo import UpdateOne
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
    await ctx.stores.shared.registrations.write(
        UpdateOne(
            {"_id": fact.registration_id},
            {
                "$set": {
                    "event_id": fact.event_id,
                    "participant_id": fact.participant_id,
                    "municipality_id": fact.municipality_id,
                    "status": status,
                }
            },
            upsert=True,
        )
    )
    if status in ("cancelled", "declined"):
        await transfer.registration_gone(ctx.stores, fact.event_id, fact.registration_id)
    await ctx.notify(
        kind,
        event.id,
        [Recipient(id=fact.participant_id, type=RecipientType.PARTICIPANT)],
        {"event_id": fact.event_id, "registration_id": fact.registration_id},
        {**await event_params(ctx.stores, fact.event_id), **params},
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
    await ctx.stores.registrations.update_one(
        {"_id": fact.registration_id},
        {
            "$set": {
                "event_id": fact.event_id,
                "participant_id": fact.participant_id,
                "attended": fact.attended,
            }
        },
        upsert=True,
    )


async def who_knew(
    ctx: Context, fact: ParticipantErased | ParticipantAnonymised
) -> WebhookAudience:
    """The municipalities the participant registered through hear of the erasure. Read before
    the registrations go (the table forwards this fact first: a redelivery after a crash
    finds the deliveries queued already)."""
    query: dict[str, object] = {"participant_id": fact.participant_id}
    return WebhookAudience(taking_part=await audience.registered_through(ctx.stores, query))


async def erased(
    ctx: Context, fact: ParticipantErased | ParticipantAnonymised, event: CloudEvent
) -> None:
    """Asked to be forgotten, or past the retention after their last event: the same."""
    stores = ctx.stores
    pid = fact.participant_id
    await stores.registrations.delete_many({"participant_id": pid})
    await transfer.participant_gone(stores, pid)
    await stores.inbox_reads.delete_many({"recipient_id": pid})
    # Unsent mail is dropped; sent notices keep only their ids (the unique key must stay).
    await stores.notifications.update_many(
        {"recipient_id": pid},
        {"$set": {"params": {}, "pending": False, "erased": True}},
    )
    # The marker comes last, so whoever sees it sees the rest done; being a replacement, it
    # also wipes contact details that a concurrent ParticipantContactRecorded wrote meanwhile.
    await stores.recipients.replace_one(
        {"_id": pid}, {"type": "participant", "erased": True, "active": False}, upsert=True
    )
