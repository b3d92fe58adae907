"""The planning forms, checked before the events API is called: times typed in the event's
own time zone, the messages per field, and a change that sends back what the page hides."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from samling_web.agenda_form import Details, read_agenda
from samling_web.planning_form import (
    CAPACITY_INVALID,
    DATE_MISSING,
    END_BEFORE_START,
    LINK_INVALID,
    PLACE_MISSING,
    TIME_MISSING,
    TOO_LONG_EVENT,
    NewEvent,
    Times,
)
from starlette.datastructures import FormData

NETWORKS = {"net_1"}


def _form(**fields: str) -> FormData:
    return FormData(list(fields.items()))


PLAIN = {
    "title": "Temadag", "kind": "theme_day", "network_id": "net_1", "starts_on": "2027-03-27",
    "starts_time": "09:00", "ends_time": "15:00", "timezone": "Europe/Oslo",
    "venue": "Bodø rådhus", "capacity": "30",
}  # fmt: skip


def test_times_are_the_event_zones_across_a_change_to_summer_time() -> None:
    event = NewEvent.read(_form(**{**PLAIN, "ends_on": "2027-03-28"}), None)
    assert event.check(NETWORKS) == {}
    body = event.payload()
    # Oslo moves to summer time in the night to 28 March 2027: +01:00, then +02:00.
    assert body["starts_at"] == "2027-03-27T09:00:00+01:00"
    assert body["ends_at"] == "2027-03-28T15:00:00+02:00"
    assert (body["kind"], body["network_id"], body["capacity"]) == ("theme_day", "net_1", 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"starts_on": "", "starts_time": ""}, {"starts_on": DATE_MISSING,
                                                "starts_time": TIME_MISSING}),
        ({"ends_time": "08:00"}, {"ends_time": END_BEFORE_START}),
        ({"ends_on": "2027-04-12"}, {"ends_on": TOO_LONG_EVENT}),
        ({"ends_on": "31.03.2027"}, {"ends_on": DATE_MISSING}),
        ({"venue": "", "online_url": ""}, {"venue": PLACE_MISSING}),
        ({"online_url": "http://plain.example.no"}, {"online_url": LINK_INVALID}),
        ({"capacity": "0"}, {"capacity": CAPACITY_INVALID}),
        ({"capacity": "tretti"}, {"capacity": CAPACITY_INVALID}),
    ],
)  # fmt: skip
def test_each_mistake_is_named_beside_its_field(
    typed: dict[str, str], expected: dict[str, str]
) -> None:
    assert NewEvent.read(_form(**{**PLAIN, **typed}), None).check(NETWORKS) == expected


def test_a_network_of_another_region_is_refused_before_sending() -> None:
    errors = NewEvent.read(_form(**{**PLAIN, "network_id": "net_other"}), None).check(NETWORKS)
    assert list(errors) == ["network_id"]


def test_a_template_needs_no_end_and_sends_the_shape() -> None:
    typed = {k: v for k, v in PLAIN.items() if k not in ("ends_time", "kind")}
    event = NewEvent.read(_form(**typed), "short_afternoon")
    assert event.check(NETWORKS) == {}
    assert event.payload() == {
        "title": "Temadag", "network_id": "net_1", "timezone": "Europe/Oslo",
        "venue": "Bodø rådhus", "online_url": None, "capacity": 30,
        "template": "short_afternoon", "starts_at": "2027-03-27T09:00:00+01:00",
    }  # fmt: skip


def test_times_shown_again_are_local_and_leave_out_the_same_end_date() -> None:
    start = datetime(2027, 2, 10, 8, 0, tzinfo=ZoneInfo("UTC"))
    shown = Times.of(start, start.replace(hour=14), "Europe/Oslo")
    assert (shown.starts_on, shown.starts_time, shown.ends_on, shown.ends_time) == (
        "2027-02-10", "09:00", "", "15:00")  # fmt: skip


def test_the_agenda_leaves_out_removed_and_blank_rows_and_numbers_errors_as_shown() -> None:
    form = _form(**{
        "agenda-0-title": "Del 2", "agenda-0-day": "2027-02-10", "agenda-0-starts": "12:00",
        "agenda-0-ends": "13:15", "agenda-0-description": "",
        "agenda-1-title": "Borte", "agenda-1-day": "2027-02-10", "agenda-1-starts": "13:00",
        "agenda-1-ends": "14:00", "agenda-1-description": "", "agenda-1-remove": "yes",
        "agenda-2-title": "Del 3", "agenda-2-day": "2027-02-10", "agenda-2-starts": "14:00",
        "agenda-2-ends": "13:30", "agenda-2-description": "",
        "agenda-3-title": "", "agenda-3-day": "2027-02-10", "agenda-3-starts": "",
        "agenda-3-ends": "", "agenda-3-description": "",
    })  # fmt: skip
    items, errors = read_agenda(form, "Europe/Oslo")
    assert [i.title for i in items] == ["Del 2", "Del 3"]
    assert errors == {"agenda-1-ends": END_BEFORE_START}
    assert items[0].payload("Europe/Oslo")["ends_at"] == "2027-02-10T13:15:00+01:00"


def test_a_change_of_details_sends_back_what_the_page_does_not_show() -> None:
    event = {
        "id": "evt_1", "status": "draft", "title": "Gammel", "capacity": 10, "venue": "Fauske",
        "questions": [{"id": "diet", "label": "Allergier?"}], "reminder_minutes_before": 60,
        "agenda": [], "seats_left": 10,
    }  # fmt: skip
    details = Details.read(_form(title="Ny", venue="Bodø", capacity="20", description=""))
    assert details.check() == {}
    body = details.payload(event)
    assert body["questions"] == event["questions"]
    assert body["reminder_minutes_before"] == 60
    assert (body["title"], body["venue"], body["capacity"]) == ("Ny", "Bodø", 20)
    assert "seats_left" not in body  # the API's additions are not details
    assert "id" not in body
