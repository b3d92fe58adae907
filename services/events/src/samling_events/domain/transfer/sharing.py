"""Two-party consent to share a conversation: pure rules over insert-only records.

Every consent and every withdrawal is a record of its own whose id is unique (the store's unique
``_id`` settles races): in round ``n`` of a conversation's sharing with an audience each party
may consent once (``…:n:participant``, ``…:n:manager``), and one withdrawal (``…:n:withdrawn``)
closes the round. The conversation is shared while the current round holds both consents; a
withdrawal by either hides it at once, and a new proposal opens the next round. An agreement
that lands after a withdrawal lands in the closed round and shares nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from samling_contracts.vocabulary import TransferConversation
from samling_kernel.decisions import Refused


class Party(StrEnum):
    PARTICIPANT = "participant"
    MANAGER = "manager"

    @property
    def other(self) -> Party:
        return Party.MANAGER if self is Party.PARTICIPANT else Party.PARTICIPANT


class Audience(StrEnum):
    """With whom a conversation may be shared."""

    COORDINATORS = "coordinators"
    """The coordinators of the event's network (its region's coordinators)."""
    REPORT_DRAFT = "report_draft"
    """An experience-report draft in the SMTTE template for the participant's municipality."""


WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    conversation: TransferConversation
    audience: Audience
    round: int
    by: Party | None
    """The consenting party; ``None`` for the withdrawal that closed the round."""


def record_id(
    plan_id: str, conversation: TransferConversation, audience: Audience, round_: int, by: str
) -> str:
    return f"{plan_id}:{conversation}:{audience}:{round_}:{by}"


@dataclass(frozen=True, slots=True)
class Sharing:
    """Where one conversation's sharing with one audience stands."""

    conversation: TransferConversation
    audience: Audience
    round: int
    consented: frozenset[Party]

    @property
    def shared(self) -> bool:
        return self.consented == frozenset(Party)

    def proposed_by(self) -> Party | None:
        return next(iter(self.consented)) if len(self.consented) == 1 else None


def sharing(
    records: Iterable[ConsentRecord], conversation: TransferConversation, audience: Audience
) -> Sharing:
    mine = [r for r in records if r.conversation == conversation and r.audience == audience]
    closed = {r.round for r in mine if r.by is None}
    current = max(closed) + 1 if closed else 0
    consented = frozenset(r.by for r in mine if r.round == current and r.by is not None)
    return Sharing(conversation, audience, current, consented)


def propose(state: Sharing, by: Party) -> ConsentRecord | None:
    """The party's consent in the current round (``None`` when it is there already)."""
    if by in state.consented:
        return None
    return ConsentRecord(state.conversation, state.audience, state.round, by)


def agree(state: Sharing, by: Party) -> ConsentRecord | None:
    if by in state.consented:
        return None
    if by.other not in state.consented:
        raise Refused("Nothing has been proposed to share here; propose it instead.")
    return ConsentRecord(state.conversation, state.audience, state.round, by)


def withdraw(state: Sharing) -> ConsentRecord:
    if not state.consented:
        raise Refused("This conversation is neither shared nor proposed for sharing.")
    return ConsentRecord(state.conversation, state.audience, state.round, None)
