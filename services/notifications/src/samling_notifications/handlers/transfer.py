"""Transfer plans: their reminders (``samling.events.registrations``) and the manager named
for each (``samling.events.participants.restricted``).

The plan's facts travel with the registration's own, keyed by the event, so a plan's creation,
moves, held marks and the registration's cancellation arrive in order and each is written by
one handler at a time. The manager comes on the restricted topic, in order with the
participant's contact (keyed by the participant), and in no order with the plan.

A late copy of a fact about someone who asked to be forgotten (another topic, or the erasure's
partition) must not bring them back: a plan's or manager's fact about an erased participant is
dropped.
"""

from __future__ import annotations

from typing import Any

from samling_contracts import CloudEvent
from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferManagerNamed,
    TransferPlanCreated,
    TransferPlanRescheduled,
)

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


async def plan_created(ctx: Context, fact: TransferPlanCreated, event: CloudEvent) -> None:
    if await ctx.stores.people.erased(fact.participant_id):
        return
    await ctx.stores.agenda.add_new(plan_reminders(fact))


async def plan_rescheduled(ctx: Context, fact: TransferPlanRescheduled, event: CloudEvent) -> None:
    for reminder_id, times in moved(fact).items():
        await ctx.stores.agenda.move_unless_held(reminder_id, times)


async def conversation_held(
    ctx: Context, fact: TransferConversationHeld, event: CloudEvent
) -> None:
    await ctx.stores.agenda.mark_held(held(fact))


async def participant_gone(stores: Stores, participant_id: str) -> None:
    """Erasure: the participant's plans remind nobody, and their managers' addresses and the
    notices that name the participant go (their ids stay, as the participant's own do)."""
    await stores.agenda.drop_of_participant(participant_id)
    for manager_id in await stores.people.managers_of(participant_id):
        await stores.notice_log.erase_of(manager_id)
        await stores.people.forget_manager(manager_id)


async def manager_named(ctx: Context, fact: TransferManagerNamed, event: CloudEvent) -> None:
    """The manager becomes the plan's recipient (replacing an earlier one) and is told, with
    their private link, whose manager they were named as and for which event."""
    stores = ctx.stores
    if await stores.people.erased(fact.participant_id):
        return
    manager_id = manager_recipient_id(fact.plan_id)
    await stores.people.name_manager(manager_id, fact)
    ctx.notices.facts_arrived(recipients={manager_id})
    params: dict[str, Any] = {"participant": await stores.people.name_of(fact.participant_id)}
    refs = {"plan_id": fact.plan_id}
    if fact.event_id is not None:
        refs["event_id"] = fact.event_id
        params = {**await event_params(stores, fact.event_id), **params}
    # No address in the draft: the mail reads the recipient document, with the private link.
    recipient = Recipient(id=manager_id, type=RecipientType.MANAGER)
    await ctx.notify(Kind.TRANSFER_MANAGER_NAMED, event.id, [recipient], refs, params)
