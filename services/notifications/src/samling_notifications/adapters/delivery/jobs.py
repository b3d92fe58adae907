"""One attempt at one e-mail notice, and its outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from samling_runtime.mongo import Document
from samling_runtime.telemetry import current_trace

from samling_notifications.domain.notices import Status

ADDRESS_WAIT = timedelta(seconds=5)
"""An address (or event) not known yet is looked for again this soon, then at doubling
intervals up to :data:`ADDRESS_WAIT_CAP`: the fact carrying it travels on another topic and
may simply arrive later, or much later when that topic's consumer is catching up."""
ADDRESS_WAIT_CAP = timedelta(minutes=5)
WAITING_FOR_FACTS = ("no e-mail address known yet", "event details not known yet")
FINAL = (Status.SENT, Status.FAILED, Status.SKIPPED)


@dataclass
class Job:
    """One attempt at one e-mail notice. ``recipient``/``event`` are filled in when known."""

    notice: Document
    attempt: int
    recipient: Document | None = None
    event: Document | None = None
    language: str | None = None
    """The language the recipient chose in their preferences (looked up with ``recipient``)."""
    preferences_read: bool = False
    """``language`` comes from preferences read for this attempt (at intake, just before)."""
    waiting_for_facts: bool = False
    """The last attempt found no address (or no event details) yet."""
    trace: dict[str, str] = field(default_factory=current_trace)
    """The trace of the fact that made the notice: its mail is sent in it."""


@dataclass
class Outcome:
    job: Job
    status: Status
    reason: str | None = None
    next_attempt_at: datetime | None = None

    @property
    def notice(self) -> Document:
        return self.job.notice
