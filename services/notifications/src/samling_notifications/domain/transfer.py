"""Transfer plans' reminders: which, when, moved and gone. Pure rules, no I/O.

Each of a plan's three conversations reminds both people at its due time: the participant and
the manager they named. Each (plan, conversation, person) is a reminder document of its own,
so the scheduler's run marker and the notices' unique key make it fire once however many
instances run or facts are replayed. A reminder whose conversation was marked held becomes a
tombstone (no due time): a replayed TransferPlanCreated then finds its id taken and a
reschedule leaves it alone, so a held conversation is never recalled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from samling_contracts.transfer import (
    TransferConversationHeld,
    TransferPlanCreated,
    TransferPlanRescheduled,
)
from samling_contracts.vocabulary import TransferConversation

from samling_notifications.domain.notices import Kind, Recipient, RecipientType

AFTER_STALE = timedelta(days=30)
"""The conversation after the event is not recalled once this long past its due time (the
service was down, or the plan came late); the two before it, once the next is due."""


class Party(StrEnum):
    PARTICIPANT = "participant"
    MANAGER = "manager"


def manager_recipient_id(plan_id: str) -> str:
    """The plan's manager as a recipient: one per plan, so a manager named anew replaces the
    earlier one as the recipient of the plan's reminders that are still to come."""
    return f"mgr_{plan_id}"


def reminder_id(plan_id: str, conversation: TransferConversation, party: Party) -> str:
    return f"transfer:{plan_id}:{conversation}:{party}"


@dataclass(frozen=True)
class Due:
    """A conversation's reminder time, and the moment after which it is no longer sent."""

    due_at: datetime
    not_after: datetime


def schedule(
    before: datetime | None, during: datetime, after: datetime
) -> dict[TransferConversation, Due]:
    """The conversations' reminder times (``before`` None: it stays as it is, a reschedule
    moves only the two during and after the event), keyed by conversation."""
    times = {
        TransferConversation.DURING: Due(during, after),
        TransferConversation.AFTER: Due(after, after + AFTER_STALE),
    }
    if before is not None:
        times[TransferConversation.BEFORE] = Due(before, during)
    return times


@dataclass(frozen=True)
class TransferReminder:
    plan_id: str
    registration_id: str
    event_id: str
    participant_id: str
    conversation: TransferConversation
    party: Party
    due: Due

    @property
    def id(self) -> str:
        return reminder_id(self.plan_id, self.conversation, self.party)

    def document(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "kind": str(Kind.TRANSFER_REMINDER),
            "plan_id": self.plan_id,
            "registration_id": self.registration_id,
            "event_id": self.event_id,
            "participant_id": self.participant_id,
            "conversation": str(self.conversation),
            "party": str(self.party),
            "due_at": self.due.due_at,
            "not_after": self.due.not_after,
        }


def plan_reminders(fact: TransferPlanCreated) -> list[TransferReminder]:
    """Six reminders: three conversations, two people."""
    times = schedule(fact.before_due_at, fact.during_due_at, fact.after_due_at)
    return [
        TransferReminder(
            fact.plan_id,
            fact.registration_id,
            fact.event_id,
            fact.participant_id,
            conversation,
            party,
            due,
        )
        for conversation, due in times.items()
        for party in Party
    ]


def moved(fact: TransferPlanRescheduled) -> dict[str, dict[str, datetime]]:
    """Reminder id → its new times. The conversation before the event keeps its time; only
    its cut-off moves with the conversation during it."""
    times = schedule(None, fact.during_due_at, fact.after_due_at)
    changes: dict[str, dict[str, datetime]] = {}
    for party in Party:
        for conversation, due in times.items():
            rid = reminder_id(fact.plan_id, conversation, party)
            changes[rid] = {"due_at": due.due_at, "not_after": due.not_after}
        before = reminder_id(fact.plan_id, TransferConversation.BEFORE, party)
        changes[before] = {"not_after": fact.during_due_at}
    return changes


def held(fact: TransferConversationHeld) -> list[dict[str, Any]]:
    """What replaces a held conversation's two reminders: the ids (so nothing recreates them)
    and what cancellation and erasure find them by, but no due time (so nothing fires)."""
    return [
        {
            "_id": reminder_id(fact.plan_id, fact.conversation, party),
            "kind": str(Kind.TRANSFER_REMINDER),
            "plan_id": fact.plan_id,
            "registration_id": fact.registration_id,
            "event_id": fact.event_id,
            "participant_id": fact.participant_id,
            "conversation": str(fact.conversation),
            "party": str(party),
            "held": True,
        }
        for party in Party
    ]


def recipient_of(reminder: dict[str, Any]) -> Recipient:
    """Who a reminder document is for: the participant, or the plan's manager (whose address
    is whatever the latest TransferManagerNamed gave)."""
    if reminder["party"] == Party.MANAGER:
        return Recipient(id=manager_recipient_id(reminder["plan_id"]), type=RecipientType.MANAGER)
    return Recipient(id=reminder["participant_id"], type=RecipientType.PARTICIPANT)
