"""Transfer plans: their reminders (``samling.events.registrations``) and the manager named
for each (``samling.events.participants.restricted``).

The plan's facts travel with the registration's own, keyed by the event, so a plan's creation,
moves, held marks and the registration's cancellation arrive in order and each is written by
one handler at a time. The manager comes on the restricted topic, in order with the
participant's contact (keyed by the participant), and in no order with the plan.
"""

from __future__ import annotations

from typing import Any

from pymongo import ReplaceOne
from samling_contracts import CloudEvent
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_runtime.mongo import insert_new

from samling_notifications.adapters.store.notices import event_params
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Kind, Recipient, RecipientType
from samling_notifications.domain.transfer import (
    held,
    manager_recipient_id,
    moved,
    plan_reminders,
)
from samling_notifications.handlers.context import Context


async def _erased(stores: Stores, participant_id: str) -> bool:
    """A late copy of a fact about someone who asked to be forgotten (another topic, or the
    erasure's partition) must not bring them back."""
    marker = await stores.recipients.find_one({"_id": participant_id, "erased": True})
    return marker is not None


async def plan_created(ctx: Context, fact: TransferPlanCreated, event: CloudEvent) -> None:
    if await _erased(ctx.stores, fact.participant_id):
        return
    # Inserted, never replaced: a replay finds them there (moved, or held and tombstoned).
    await insert_new(ctx.stores.reminders, [r.document() for r in plan_reminders(fact)])


async def plan_rescheduled(ctx: Context, fact: TransferPlanRescheduled, event: CloudEvent) -> None:
    for reminder_id, times in moved(fact).items():
        await ctx.stores.reminders.update_one(
            {"_id": reminder_id, "held": {"$ne": True}}, {"$set": times}
        )


async def conversation_held(
    ctx: Context, fact: TransferConversationHeld, event: CloudEvent
) -> None:
    for tombstone in held(fact):
        await ctx.stores.reminders.replace_one({"_id": tombstone["_id"]}, tombstone, upsert=True)


async def registration_gone(stores: Stores, event_id: str, registration_id: str) -> None:
    """A cancelled registration's plan reminds nobody."""
    await stores.reminders.delete_many({"event_id": event_id, "registration_id": registration_id})


async def participant_gone(stores: Stores, participant_id: str) -> None:
    """Erasure: the participant's plans remind nobody, and their managers' addresses and the
    notices that name the participant go (their ids stay, as the participant's own do)."""
    await stores.reminders.delete_many({"participant_id": participant_id})
    managers = stores.recipients.find(
        {"participant_id": participant_id, "type": str(RecipientType.MANAGER)}, {"_id": 1}
    )
    for manager_id in [doc["_id"] async for doc in managers]:
        await stores.notifications.update_many(
            {"recipient_id": manager_id},
            {"$set": {"params": {}, "pending": False, "erased": True}},
        )
        await stores.recipients.replace_one(
            {"_id": manager_id},
            {"type": str(RecipientType.MANAGER), "erased": True, "active": False},
        )


async def manager_named(ctx: Context, fact: TransferManagerNamed, event: CloudEvent) -> None:
    """The manager becomes the plan's recipient (replacing an earlier one) and is told, with
    their private link, whose manager they were named as and for which event."""
    stores = ctx.stores
    if await _erased(stores, fact.participant_id):
        return
    manager_id = manager_recipient_id(fact.plan_id)
    await stores.shared.recipients.write(
        ReplaceOne(
            {"_id": manager_id},
            {
                "type": str(RecipientType.MANAGER),
                "name": fact.name,
                "email": fact.email,
                "language": str(fact.language),
                "manage_url": fact.manager_url,
                "plan_id": fact.plan_id,
                "participant_id": fact.participant_id,
                "active": True,
            },
            upsert=True,
        )
    )
    ctx.notices.facts_arrived(recipients={manager_id})
    participant = await stores.recipients.find_one({"_id": fact.participant_id})
    params: dict[str, Any] = {"participant": (participant or {}).get("name") or ""}
    refs = {"plan_id": fact.plan_id}
    if fact.event_id is not None:
        refs["event_id"] = fact.event_id
        params = {**await event_params(stores, fact.event_id), **params}
    # No address in the draft: the mail reads the recipient document, with the private link.
    recipient = Recipient(id=manager_id, type=RecipientType.MANAGER)
    await ctx.notify(Kind.TRANSFER_MANAGER_NAMED, event.id, [recipient], refs, params)
