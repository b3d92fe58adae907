"""The planning forms: what a coordinator typed, checked before the events API is called.

Times are typed as a date and a time of day (the browser's own date and time inputs, which
are plain text fields without JavaScript) in the event's time zone, and sent as aware
datetimes. Messages are gettext message ids (``N_``), translated when the page is rendered.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from samling_runtime.inputs import SingleLine

from samling_web.forms import long_text
from samling_web.i18n import N_
from samling_web.vocabulary import EVENT_KINDS

TIMEZONES = {
    "Europe/Oslo": N_("Norway (Europe/Oslo)"),
    "Europe/Stockholm": N_("Sweden (Europe/Stockholm)"),
    "Europe/Copenhagen": N_("Denmark (Europe/Copenhagen)"),
}
TEMPLATES = {
    "one_day": N_("One day"),
    "two_days": N_("Two days"),
    "short_afternoon": N_("A short afternoon, with pre-work and follow-up work"),
}
TEMPLATE_HINTS = {
    "one_day": N_("All four parts in five to six hours, with a lunch break."),
    "two_days": N_(
        "Ample time: preparation and practice examples on day one, groups and follow-up on day two."
    ),
    "short_afternoon": N_(
        "Parts 2 and 3 at the meeting; parts 1 and 4 become pre-work and "
        "follow-up work at each unit."
    ),
}
TITLE_MAX = 300
PLACE_MAX = 500
LONGEST = timedelta(days=14)
_single_line: TypeAdapter[str] = TypeAdapter(SingleLine)

TITLE_MISSING = N_("Enter a title")
TITLE_TOO_LONG = N_("Use 300 characters or fewer")
NOT_PLAIN = N_("Use letters, numbers and punctuation only, on one line")
KIND_MISSING = N_("Choose the kind of gathering")
NETWORK_UNKNOWN = N_("Choose one of your region's networks, or the whole region")
DATE_MISSING = N_("Enter the date, for example 10.02.2027")
TIME_MISSING = N_("Enter the time, for example 09:00")
END_BEFORE_START = N_("The end must be after the start")
TOO_LONG_EVENT = N_("An event can last at most 14 days")
TIMEZONE_MISSING = N_("Choose the time zone")
PLACE_MISSING = N_("Enter a venue, or a link to the online meeting")
PLACE_TOO_LONG = N_("Use 500 characters or fewer")
LINK_INVALID = N_("Enter a link that starts with https://")
CAPACITY_INVALID = N_("Enter the number of seats as a whole number from 1 to 100,000")
DESCRIPTION_TOO_LONG = N_("Use 10,000 characters or fewer")
MESSAGE_TOO_LONG = N_("Use 1000 characters or fewer")
TEMPLATE_MISSING = N_("Choose the shape of the dialogue conference")


def text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


def moment(day: str, at: str, timezone: str) -> datetime | None:
    """The aware datetime of a typed date (ISO, as the date input sends it) and time of day."""
    try:
        return datetime.combine(
            date.fromisoformat(day), time.fromisoformat(at), tzinfo=ZoneInfo(timezone)
        )
    except (ValueError, KeyError):
        return None


def one_line(value: str, missing: str | None, max_length: int) -> str | None:
    """The message for a one-line text (``missing`` None: it may be left out)."""
    if not value:
        return missing
    if len(value) > max_length:
        return TITLE_TOO_LONG if max_length == TITLE_MAX else PLACE_TOO_LONG
    try:
        _single_line.validate_python(value)
    except ValidationError:
        return NOT_PLAIN
    return None


@dataclass
class Times:
    """When, as typed: the end's date may be left out for an event within one day."""

    starts_on: str = ""
    starts_time: str = ""
    ends_on: str = ""
    ends_time: str = ""
    timezone: str = "Europe/Oslo"

    @classmethod
    def read(cls, form: Any, timezone: str | None = None) -> Times:
        return cls(
            starts_on=text(form, "starts_on"),
            starts_time=text(form, "starts_time"),
            ends_on=text(form, "ends_on"),
            ends_time=text(form, "ends_time"),
            timezone=timezone or text(form, "timezone"),
        )

    @classmethod
    def of(cls, starts_at: datetime, ends_at: datetime, timezone: str) -> Times:
        start, end = (m.astimezone(ZoneInfo(timezone)) for m in (starts_at, ends_at))
        return cls(
            starts_on=start.date().isoformat(),
            starts_time=start.strftime("%H:%M"),
            ends_on=end.date().isoformat() if end.date() != start.date() else "",
            ends_time=end.strftime("%H:%M"),
            timezone=timezone,
        )

    def start(self) -> datetime | None:
        return moment(self.starts_on, self.starts_time, self.timezone)

    def end(self) -> datetime | None:
        return moment(self.ends_on or self.starts_on, self.ends_time, self.timezone)

    def check(self, errors: dict[str, str], *, with_end: bool = True) -> None:
        if self.timezone not in TIMEZONES:
            errors["timezone"] = TIMEZONE_MISSING
            return
        start = self.start()
        if not _is_date(self.starts_on):
            errors["starts_on"] = DATE_MISSING
        if moment("2000-01-01", self.starts_time, self.timezone) is None:
            errors["starts_time"] = TIME_MISSING
        if not with_end:
            return
        if self.ends_on and not _is_date(self.ends_on):
            errors["ends_on"] = DATE_MISSING
        elif moment("2000-01-01", self.ends_time, self.timezone) is None:
            errors["ends_time"] = TIME_MISSING
        end = self.end()
        if start is None or end is None:
            return
        if end <= start:
            errors["ends_time"] = END_BEFORE_START
        elif end - start > LONGEST:
            errors["ends_on"] = TOO_LONG_EVENT

    def payload(self) -> dict[str, str]:
        start, end = self.start(), self.end()
        assert start is not None
        assert end is not None
        return {"starts_at": start.isoformat(), "ends_at": end.isoformat()}


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass
class Place:
    venue: str = ""
    online_url: str = ""
    capacity: str = ""

    @classmethod
    def read(cls, form: Any) -> Place:
        return cls(text(form, "venue"), text(form, "online_url"), text(form, "capacity"))

    def check(self, errors: dict[str, str]) -> None:
        if message := one_line(self.venue, None, PLACE_MAX):
            errors["venue"] = message
        if self.online_url and (
            not self.online_url.startswith("https://") or one_line(self.online_url, None, 1000)
        ):
            errors["online_url"] = LINK_INVALID
        if not self.venue and not self.online_url:
            errors["venue"] = PLACE_MISSING
        if not self.capacity.isdigit() or not 1 <= int(self.capacity) <= 100_000:
            errors["capacity"] = CAPACITY_INVALID

    def payload(self) -> dict[str, Any]:
        return {
            "venue": self.venue or None,
            "online_url": self.online_url or None,
            "capacity": int(self.capacity),
        }


@dataclass
class NewEvent:
    """The plain event form (``POST /events``) or a dialogue conference's (``template``)."""

    template: str | None = None
    title: str = ""
    kind: str = ""
    network_id: str = ""
    description: str = ""
    requires_approval: bool = False
    open_to_all: bool = False
    times: Times = field(default_factory=Times)
    place: Place = field(default_factory=Place)

    @classmethod
    def read(cls, form: Any, template: str | None) -> NewEvent:
        return cls(
            template=template,
            title=text(form, "title"),
            kind="dialogue_conference" if template else text(form, "kind"),
            network_id=text(form, "network_id"),
            description=text(form, "description"),
            requires_approval=form.get("requires_approval") == "yes",
            open_to_all=form.get("open_to_all") == "yes",
            times=Times.read(form),
            place=Place.read(form),
        )

    def check(self, networks: Collection[str]) -> dict[str, str]:
        """A message per field not right yet, in the form's order."""
        errors: dict[str, str] = {}
        if message := one_line(self.title, TITLE_MISSING, TITLE_MAX):
            errors["title"] = message
        if self.kind not in EVENT_KINDS:
            errors["kind"] = KIND_MISSING
        if self.network_id and self.network_id not in networks:
            errors["network_id"] = NETWORK_UNKNOWN
        # A template's end follows from its shape.
        self.times.check(errors, with_end=self.template is None)
        self.place.check(errors)
        if message := long_text(self.description, 10_000, DESCRIPTION_TOO_LONG):
            errors["description"] = message
        return errors

    def payload(self) -> dict[str, Any]:
        common = {
            "title": self.title,
            "network_id": self.network_id or None,
            "timezone": self.times.timezone,
            **self.place.payload(),
        }
        if self.template:
            start = self.times.start()
            assert start is not None  # checked first
            return {**common, "template": self.template, "starts_at": start.isoformat()}
        return {
            **common,
            **self.times.payload(),
            "kind": self.kind,
            "description": self.description,
            "requires_approval": self.requires_approval,
            "open_to_all": self.open_to_all,
        }
