"""Notices: who is told what, once per (recipient, source fact, kind, channel). Pure rules."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from samling_contracts.vocabulary import Channel


class Kind(StrEnum):
    """What a notice is about; also the template it is written from."""

    EVENT_INVITATION = "event.invitation"
    ANNOUNCEMENT = "announcement"
    REPORT_PUBLISHED = "report.published"
    REPORT_REVISED = "report.revised"
    REGISTRATION_CONFIRMED = "registration.confirmed"
    REGISTRATION_WAITLISTED = "registration.waitlisted"
    REGISTRATION_PROMOTED = "registration.promoted"
    REGISTRATION_APPROVED = "registration.approved"
    REGISTRATION_DECLINED = "registration.declined"
    REGISTRATION_AWAITING_APPROVAL = "registration.awaiting_approval"
    REGISTRATION_CANCELLED = "registration.cancelled"
    EVENT_UPDATED = "event.updated"
    EVENT_RESCHEDULED = "event.rescheduled"
    EVENT_CANCELLED = "event.cancelled"
    ASSIGNMENT_ASSIGNED = "assignment.assigned"
    ASSIGNMENT_DUE = "assignment.due"
    EVENT_REMINDER = "event.reminder"
    ASSIGNMENT_REMINDER = "assignment.reminder"
    EVENT_FOLLOWUP = "event.followup"
    TRANSFER_MANAGER_NAMED = "transfer.manager_named"
    TRANSFER_REMINDER = "transfer.reminder"
    DIGEST = "digest"

    @property
    def about_own_registration(self) -> bool:
        """Notices about the recipient's own registration (or a transfer plan they are one of
        the two people of): no unsubscribe link, never digested, e-mail never switched off."""
        return self in _OWN_REGISTRATION

    @property
    def about_transfer_plan(self) -> bool:
        """Its personal link opens the plan: the participant's page under their private link,
        or the manager's own link."""
        return self in (Kind.TRANSFER_MANAGER_NAMED, Kind.TRANSFER_REMINDER)

    @property
    def transactional(self) -> bool:
        return self not in _SUBSCRIBED

    @property
    def digestable(self) -> bool:
        return self in _SUBSCRIBED

    @property
    def attaches_calendar(self) -> bool:
        return self in _WITH_ICS


_SUBSCRIBED = frozenset(
    {Kind.EVENT_INVITATION, Kind.ANNOUNCEMENT, Kind.REPORT_PUBLISHED, Kind.REPORT_REVISED}
)
_OWN_REGISTRATION = frozenset(
    {
        Kind.REGISTRATION_CONFIRMED,
        Kind.REGISTRATION_WAITLISTED,
        Kind.REGISTRATION_PROMOTED,
        Kind.REGISTRATION_APPROVED,
        Kind.REGISTRATION_DECLINED,
        Kind.REGISTRATION_CANCELLED,
        Kind.TRANSFER_MANAGER_NAMED,
        Kind.TRANSFER_REMINDER,
    }
)
_WITH_ICS = frozenset(
    {
        Kind.EVENT_INVITATION,
        Kind.REGISTRATION_CONFIRMED,
        Kind.REGISTRATION_PROMOTED,
        Kind.REGISTRATION_APPROVED,
        Kind.EVENT_UPDATED,
        Kind.EVENT_RESCHEDULED,
        Kind.EVENT_CANCELLED,
        Kind.REGISTRATION_CANCELLED,
    }
)


class RecipientType(StrEnum):
    PARTICIPANT = "participant"
    CONTACT = "contact"
    USER = "user"
    MANAGER = "manager"
    """A participant's manager, named for a transfer plan (no account; a private link)."""


class Digest(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"


class Status(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    RETRYING = "retrying"
    FAILED = "failed"
    DIGESTED = "digested"
    SKIPPED = "skipped"


class Recipient(BaseModel):
    """Who gets a notice; name, address and language when the audience query knew them."""

    id: str
    type: RecipientType
    name: str | None = None
    email: str | None = None
    language: str | None = None

    def details(self) -> dict[str, Any]:
        """As a ``recipients`` document would hold them."""
        return {
            "_id": self.id,
            "type": str(self.type),
            "name": self.name,
            "email": self.email,
            "language": self.language,
            "active": True,
        }


class Draft(BaseModel):
    """A notice a fact causes for some recipients, before channels and preferences apply."""

    kind: Kind
    source_event_id: str
    recipients: list[Recipient]
    refs: dict[str, str] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)


class Preferences(BaseModel):
    """One recipient's choices. Defaults apply until they change something."""

    recipient_id: str
    email: bool = Field(True, description="Receive e-mail.")
    inbox: bool = Field(True, description="Receive notices in the in-app inbox.")
    language: str | None = Field(None, description="Overrides the language we know.")
    digest: Digest = Field(Digest.IMMEDIATE, description="How non-urgent e-mail is bundled.")
    unsubscribed: bool = Field(
        False, description="No subscribed notices at all (own registrations still arrive)."
    )

    def channels_for(self, kind: Kind) -> list[Channel]:
        if kind.digestable and self.unsubscribed:
            return []
        if kind is Kind.DIGEST:  # its lines are in the inbox already
            return [Channel.EMAIL] if self.email else []
        chosen = []
        if self.inbox:
            chosen.append(Channel.INBOX)
        # E-mail about one's own registration is never switched off: it is the receipt.
        if self.email or kind.about_own_registration:
            chosen.append(Channel.EMAIL)
        return chosen

    def digest_for(self, kind: Kind) -> Digest:
        return self.digest if kind.digestable else Digest.IMMEDIATE


def notification_id(recipient_id: str, source_event_id: str, kind: str, channel: str) -> str:
    """Deterministic: the same notice always gets the same id (and e-mail Message-ID)."""
    raw = "\x1f".join((recipient_id, source_event_id, kind, channel)).encode()
    return "ntf_" + hashlib.sha256(raw).hexdigest()[:24]


def next_digest_at(now: datetime, digest: Digest, hour: int = 7) -> datetime:
    """Daily digests go out at ``hour`` UTC the next time it comes; weekly ones on Mondays."""
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= now:
        at += timedelta(days=1)
    if digest is Digest.WEEKLY:
        at += timedelta(days=(7 - at.weekday()) % 7)
    return at


def retry_delay(attempt: int, *, base: float, cap: float, jitter: float) -> timedelta:
    """Exponential backoff: base·2^(attempt-1), capped, plus ``jitter`` (0..1) of itself."""
    delay = min(base * 2 ** max(attempt - 1, 0), cap)
    return timedelta(seconds=delay * (1 + jitter))
