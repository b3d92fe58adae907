"""Planning rules: a recurring series' occurrences (at most 52) and when two events clash.
Pure decisions, no I/O."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from samling_kernel.decisions import Refusal, Refused

from samling_events.domain.events import Event, TimeZoneName

MAX_OCCURRENCES = 52
"""A series is a year of weekly meetings at most: an RRULE without COUNT or UNTIL is refused
rather than cut short."""


def series_starts(rrule: str, first: datetime, timezone: TimeZoneName) -> list[datetime]:
    """The occurrences' starts, from the first one, expanded where the meetings happen: from
    a fixed UTC offset, every meeting after a change to or from summer time would move an
    hour on the clock."""
    local_first = first.astimezone(ZoneInfo(timezone))
    try:
        starts = list(rrulestr(rrule, dtstart=local_first)[: MAX_OCCURRENCES + 1])
    except (ValueError, TypeError) as exc:
        raise Refused(f"The RRULE is not valid: {exc}.", kind=Refusal.INVALID) from exc
    if not starts or len(starts) > MAX_OCCURRENCES:
        raise Refused(
            f"A series has 1 to {MAX_OCCURRENCES} occurrences; add COUNT or UNTIL.",
            kind=Refusal.INVALID,
        )
    return starts


def proposed(
    event: Event,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    venue: str | None = None,
) -> Event:
    """The event as a planning page is typing it: the given times and venue instead of the
    saved ones (only to check for conflicts, never stored)."""
    typed = {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "venue": venue.strip() if venue is not None else None,
    }
    event = event.model_copy(update={k: v for k, v in typed.items() if v is not None})
    if event.ends_at <= event.starts_at:
        raise Refused("The event must end after it starts.", kind=Refusal.INVALID)
    return event


def _same_venue(a: Event, b: Event) -> bool:
    return bool(a.venue and b.venue and a.venue.strip().lower() == b.venue.strip().lower())


def clash(event: Event, other: Event) -> str | None:
    """Why ``other``, overlapping ``event`` in time, is a conflict worth a warning (the same
    network, the same venue), or None when it is not one."""
    reasons = []
    if event.network_id and other.network_id == event.network_id:
        reasons.append("same network")
    if _same_venue(event, other):
        reasons.append("same venue")
    return " and ".join(reasons) or None
