"""Dates and times in the event's own time zone, written the reader's way."""

from datetime import UTC, datetime

from samling_web.formatting import agenda_time, event_span, moment, number

START = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)  # 09:00 in Oslo (winter time)
END = datetime(2027, 2, 10, 14, 0, tzinfo=UTC)


def test_an_event_reads_in_its_own_time_zone_and_the_readers_language() -> None:
    assert (
        event_span(START, END, "Europe/Oslo", "nb") == "onsdag 10. februar 2027, 09:00\u201315:00"
    )
    assert (
        event_span(START, END, "Europe/Oslo", "sv") == "onsdag 10 februari 2027, 09:00\u201315:00"
    )
    assert event_span(START, END, "Europe/Copenhagen", "da").endswith("09.00\u201315.00")
    assert event_span(START, END, "Europe/Oslo", "en") == (
        "Wednesday, 10 February 2027, 09:00\u201315:00"
    )


def test_summer_time_and_days_apart() -> None:
    summer = datetime(2027, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Oslo (summer time)
    two_days = event_span(summer, datetime(2027, 6, 2, 13, 0, tzinfo=UTC), "Europe/Oslo", "nn")
    assert two_days == "tysdag 1. juni 2027 09:00 \u2013 onsdag 2. juni 2027 15:00"


def test_deadlines_and_numbers() -> None:
    assert moment(START, "Europe/Stockholm", "sv") == "10 feb. 2027, 09:00"
    assert number(1500, "nb") == "1\xa0500"
    assert number(1500, "en") == "1,500"


def test_agenda_items_on_the_first_day_show_the_time_only() -> None:
    later = datetime(2027, 2, 10, 10, 15, tzinfo=UTC)
    next_day = datetime(2027, 2, 11, 8, 0, tzinfo=UTC)
    assert agenda_time(later, START, "Europe/Oslo", "nb") == "11:15"
    assert agenda_time(next_day, START, "Europe/Oslo", "nb") == "11. feb. 2027, 09:00"
