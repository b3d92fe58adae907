"""The "recurring meetings" form and the forms that move meetings: what a coordinator typed,
checked before anything is sent, turned into what the events API takes (an RFC 5545 RRULE
for a series, aware start and end times for a move).

A series falls on the weekday of its first date, every one to four weeks, until a date or a
number of times: "every second Tuesday" is a Tuesday as the first date, every second week.
Messages are gettext message ids, translated when the page is rendered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from samling_web.forms import one_line
from samling_web.i18n import N_
from samling_web.vocabulary import EVENT_KINDS

TIMEZONE = "Europe/Oslo"
"""The region's time: the times typed are local there (the events API keeps each event's)."""
MOST = 52
"""The events API plans at most 52 occurrences of a series."""
INTERVALS = {
    "1": N_("Every week"),
    "2": N_("Every second week"),
    "3": N_("Every third week"),
    "4": N_("Every fourth week"),
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FIELDS = (
    "title",
    "kind",
    "network_id",
    "first_date",
    "interval",
    "count",
    "until",
    "starts",
    "ends",
    "venue",
    "capacity",
)

TITLE_MISSING = N_("Enter a title for the meetings")
KIND_MISSING = N_("Choose what kind of gathering it is")
NETWORK_MISSING = N_("Choose one of the region's networks, or the whole region")
DATE_MISSING = N_("Enter the date of the first meeting")
DATE_INVALID = N_("Enter a real date, like 2027-02-09")
DATE_PAST = N_("The first meeting must be today or later")
INTERVAL_MISSING = N_("Choose how often the meetings are")
END_MISSING = N_("Enter how many times, or the date of the last meeting")
END_BOTH = N_("Enter either how many times or the last date, not both")
COUNT_INVALID = N_("Enter a whole number from 1 to 52")
UNTIL_BEFORE = N_("The last date must be on or after the first meeting")
TOO_MANY = N_("A series has at most 52 meetings: choose an earlier last date")
TIME_MISSING = N_("Enter a time, like 14:00")
ENDS_BEFORE = N_("The meeting must end after it starts")
VENUE_MISSING = N_("Enter where the meetings are")
CAPACITY_INVALID = N_("Enter the number of seats, a whole number from 1 to 100,000")


@dataclass(frozen=True)
class Typed:
    """The form as typed, trimmed: shown again beside the messages."""

    values: dict[str, str]

    def __getattr__(self, name: str) -> str:
        # Only the form's fields: probes such as Jinja's ``__html__`` find nothing here.
        if name.startswith("_"):
            raise AttributeError(name)
        return self.values.get(name, "")


def typed(form: Mapping[str, Any], fields: Collection[str] = FIELDS) -> Typed:
    return Typed({name: str(form.get(name, "")).strip()[:1000] for name in fields})


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value).replace(second=0, microsecond=0)
    except ValueError:
        return None


def _whole(value: str, low: int, high: int) -> int | None:
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def read_times(
    day: date | None, starts: str, ends: str, fields: tuple[str, str], timezone: str
) -> tuple[tuple[datetime, datetime] | None, dict[str, str]]:
    """A meeting's start and end on ``day`` where it happens, and a message per field
    (``fields``: the start's and the end's) not right yet."""
    errors: dict[str, str] = {}
    start, end = _time(starts), _time(ends)
    if start is None:
        errors[fields[0]] = TIME_MISSING
    if end is None:
        errors[fields[1]] = TIME_MISSING
    elif start is not None and end <= start:
        errors[fields[1]] = ENDS_BEFORE
    if errors or day is None or start is None or end is None:
        return None, errors
    zone = ZoneInfo(timezone)
    return (datetime.combine(day, start, zone), datetime.combine(day, end, zone)), {}


def read_day(value: str, field: str, today: date) -> tuple[date | None, dict[str, str]]:
    if not value:
        return None, {field: DATE_MISSING}
    day = _date(value)
    if day is None:
        return None, {field: DATE_INVALID}
    if day < today:
        return None, {field: DATE_PAST}
    return day, {}


def _rrule(first: date, interval: int, count: int | None, until: date | None) -> str:
    rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={WEEKDAYS[first.weekday()]}"
    if count is not None:
        return f"{rule};COUNT={count}"
    assert until is not None
    # UNTIL is in UTC when the start has a time zone (RFC 5545): the end of the last day there.
    last = datetime.combine(until + timedelta(days=1), time(), ZoneInfo(TIMEZONE)).astimezone(UTC)
    return f"{rule};UNTIL={(last - timedelta(seconds=1)):%Y%m%dT%H%M%SZ}"


def _ending(
    values: Typed, first: date | None, interval: int | None
) -> tuple[int | None, date | None, dict[str, str]]:
    """How many times, or until when; the message when neither, both or not right."""
    if not values.count and not values.until:
        return None, None, {"count": END_MISSING}
    if values.count and values.until:
        return None, None, {"count": END_BOTH}
    if values.count:
        count = _whole(values.count, 1, MOST)
        return count, None, ({} if count else {"count": COUNT_INVALID})
    until = _date(values.until)
    if until is None:
        return None, None, {"until": DATE_INVALID}
    if first is not None and until < first:
        return None, None, {"until": UNTIL_BEFORE}
    if first is not None and interval and (until - first).days // (7 * interval) + 1 > MOST:
        return None, None, {"until": TOO_MANY}
    return None, until, {}


def read_series(
    form: Mapping[str, Any], networks: Collection[str], today: date
) -> tuple[Typed, dict[str, Any] | None, dict[str, str]]:
    """What was typed, the events API's ``POST /series`` body when all is right, and a
    message per field not right yet, in the order of the form."""
    values = typed(form)
    errors: dict[str, str] = {}
    if message := one_line(values.title, TITLE_MISSING):
        errors["title"] = message
    if values.kind not in EVENT_KINDS:
        errors["kind"] = KIND_MISSING
    if values.network_id and values.network_id not in networks:
        errors["network_id"] = NETWORK_MISSING
    first, wrong = read_day(values.first_date, "first_date", today)
    errors |= wrong
    interval = int(values.interval) if values.interval in INTERVALS else None
    if interval is None:
        errors["interval"] = INTERVAL_MISSING
    count, until, wrong = _ending(values, first, interval)
    errors |= wrong
    times, wrong = read_times(first, values.starts, values.ends, ("starts", "ends"), TIMEZONE)
    errors |= wrong
    if message := one_line(values.venue, VENUE_MISSING):
        errors["venue"] = message
    capacity = _whole(values.capacity, 1, 100_000)
    if capacity is None:
        errors["capacity"] = CAPACITY_INVALID
    ordered = {name: errors[name] for name in FIELDS if name in errors}
    if ordered or first is None or interval is None or times is None:
        return values, None, ordered
    body = {
        "kind": values.kind,
        "network_id": values.network_id or None,
        "title": values.title,
        "venue": values.venue,
        "capacity": capacity,
        "starts_at": times[0].isoformat(),
        "ends_at": times[1].isoformat(),
        "timezone": TIMEZONE,
        "rrule": _rrule(first, interval, count, until),
    }
    return values, body, {}
