"""Changing a planned event: its details and its agenda, as typed on the planning page.

The events API replaces every detail at once (``PUT /events/{id}/details``), so what the page
does not show (contingents, questions, reminders...) is sent back as the API gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from samling_web.forms import long_text
from samling_web.i18n import N_
from samling_web.planning_form import (
    DESCRIPTION_TOO_LONG,
    END_BEFORE_START,
    TIME_MISSING,
    TITLE_MAX,
    TITLE_MISSING,
    Place,
    moment,
    one_line,
    text,
)

DETAIL_FIELDS = (
    "title",
    "description",
    "organisers",
    "venue",
    "online_url",
    "capacity",
    "open_to_all",
    "contingents",
    "reminder_minutes_before",
    "agenda",
    "questions",
    "cancellation_deadline",
    "offer_hours",
    "requires_approval",
    "transfer_plans",
)
"""What ``PUT /events/{id}/details`` takes (the events API refuses any other field)."""
ROWS_MAX = 30
AGENDA_DATE_MISSING = N_("Enter the day of this item")
ITEM_TOO_LONG = N_("Use 3000 characters or fewer")


def details_of(event: dict[str, Any]) -> dict[str, Any]:
    return {name: event[name] for name in DETAIL_FIELDS if name in event}


@dataclass
class Details:
    title: str = ""
    description: str = ""
    requires_approval: bool = False
    open_to_all: bool = False
    place: Place = field(default_factory=Place)

    @classmethod
    def read(cls, form: Any) -> Details:
        return cls(
            title=text(form, "title"),
            description=text(form, "description"),
            requires_approval=form.get("requires_approval") == "yes",
            open_to_all=form.get("open_to_all") == "yes",
            place=Place.read(form),
        )

    @classmethod
    def of(cls, event: dict[str, Any]) -> Details:
        return cls(
            title=event["title"],
            description=event.get("description") or "",
            requires_approval=bool(event.get("requires_approval")),
            open_to_all=bool(event.get("open_to_all")),
            place=Place(
                event.get("venue") or "", event.get("online_url") or "", str(event["capacity"])
            ),
        )

    def check(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        if message := one_line(self.title, TITLE_MISSING, TITLE_MAX):
            errors["title"] = message
        self.place.check(errors)
        if message := long_text(self.description, 10_000, DESCRIPTION_TOO_LONG):
            errors["description"] = message
        return errors

    def payload(self, event: dict[str, Any]) -> dict[str, Any]:
        return {
            **details_of(event),
            "title": self.title,
            "description": self.description,
            "requires_approval": self.requires_approval,
            "open_to_all": self.open_to_all,
            **self.place.payload(),
        }


@dataclass
class Item:
    """One part of the agenda as typed: its day, start and end time in the event's zone."""

    FIELDS: ClassVar[tuple[str, ...]] = ("title", "day", "starts", "ends", "description")
    title: str = ""
    day: str = ""
    starts: str = ""
    ends: str = ""
    description: str = ""

    @classmethod
    def of(cls, item: dict[str, Any], timezone: str) -> Item:
        zone = ZoneInfo(timezone)
        start = datetime.fromisoformat(item["starts_at"]).astimezone(zone)
        end = datetime.fromisoformat(item["ends_at"]).astimezone(zone)
        return cls(
            title=item["title"],
            day=start.date().isoformat(),
            starts=start.strftime("%H:%M"),
            ends=end.strftime("%H:%M"),
            description=item.get("description") or "",
        )

    def check(self, prefix: str, timezone: str, errors: dict[str, str]) -> None:
        if message := one_line(self.title, TITLE_MISSING, TITLE_MAX):
            errors[f"{prefix}title"] = message
        start = moment(self.day, self.starts, timezone)
        end = moment(self.day, self.ends, timezone)
        if moment(self.day, "00:00", timezone) is None:
            errors[f"{prefix}day"] = AGENDA_DATE_MISSING
        elif start is None:
            errors[f"{prefix}starts"] = TIME_MISSING
        elif end is None:
            errors[f"{prefix}ends"] = TIME_MISSING
        elif end <= start:
            errors[f"{prefix}ends"] = END_BEFORE_START
        if message := long_text(self.description, 3000, ITEM_TOO_LONG):
            errors[f"{prefix}description"] = message

    def payload(self, timezone: str) -> dict[str, str]:
        start = moment(self.day, self.starts, timezone)
        end = moment(self.day, self.ends, timezone)
        assert start is not None
        assert end is not None
        return {
            "title": self.title,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "description": self.description,
        }


def agenda_of(event: dict[str, Any]) -> list[Item]:
    return [Item.of(item, event["timezone"]) for item in event.get("agenda") or []]


def read_agenda(form: Any, timezone: str) -> tuple[list[Item], dict[str, str]]:
    """The parts kept (a part marked for removal, or a blank new row, is left out) and a
    message per field not right yet, keyed by the field's id."""
    items: list[Item] = []
    errors: dict[str, str] = {}
    for n in range(ROWS_MAX):
        prefix = f"agenda-{n}-"
        if f"{prefix}title" not in form:
            break
        item = Item(*(text(form, prefix + name) for name in Item.FIELDS))
        blank = not any((item.title, item.starts, item.ends, item.description))
        if form.get(f"{prefix}remove") == "yes" or blank:
            continue
        item.check(f"agenda-{len(items)}-", timezone, errors)
        items.append(item)
    return items, errors
