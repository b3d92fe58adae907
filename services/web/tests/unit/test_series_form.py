"""The recurring-meetings form: what a coordinator types becomes the RRULE the events API
expands (with dateutil, as the API does), or a message per field."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from samling_web.series_form import (
    COUNT_INVALID,
    END_BOTH,
    END_MISSING,
    ENDS_BEFORE,
    TOO_MANY,
    UNTIL_BEFORE,
    read_series,
)

TODAY = date(2027, 1, 4)
TUESDAY = date(2027, 1, 12)
NETWORKS = {"net_1"}


def form(**overrides: str) -> dict[str, str]:
    return {
        "title": "Nettverksmøte: Lesing", "kind": "network_meeting", "network_id": "net_1",
        "first_date": TUESDAY.isoformat(), "interval": "2", "count": "", "until": "",
        "starts": "18:00", "ends": "20:00", "venue": "Fauske hotell", "capacity": "20",
        **overrides,
    }  # fmt: skip


def occurrences(body: dict[str, object]) -> list[datetime]:
    """The starts the events API plans from the body: ``rrulestr`` from the first start,
    where the meetings happen."""
    start = datetime.fromisoformat(str(body["starts_at"])).astimezone(
        ZoneInfo(str(body["timezone"]))
    )
    return list(rrulestr(str(body["rrule"]), dtstart=start))


def test_every_second_tuesday_four_times() -> None:
    _, body, errors = read_series(form(count="4"), NETWORKS, TODAY)
    assert errors == {}
    assert body is not None
    starts = occurrences(body)
    assert [s.date().isoformat() for s in starts] == [
        "2027-01-12", "2027-01-26", "2027-02-09", "2027-02-23",
    ]  # fmt: skip
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}
    assert body["timezone"] == "Europe/Oslo"
    assert body["ends_at"] == "2027-01-12T20:00:00+01:00"


def test_until_a_date_includes_a_meeting_on_that_day_across_summer_time() -> None:
    _, body, errors = read_series(form(interval="1", until="2027-04-06"), NETWORKS, TODAY)
    assert errors == {}
    assert body is not None
    starts = occurrences(body)
    assert starts[-1].date() == date(2027, 4, 6)
    assert len(starts) == 13
    # 18:00 where it happens, summer time or not.
    oslo = ZoneInfo("Europe/Oslo")
    assert {s.astimezone(oslo).hour for s in starts} == {18}


def test_messages_beside_the_fields() -> None:
    cases = [
        (form(), {"count": END_MISSING}),
        (form(count="3", until="2027-03-01"), {"count": END_BOTH}),
        (form(count="53"), {"count": COUNT_INVALID}),
        (form(until="2027-01-01"), {"until": UNTIL_BEFORE}),
        (form(interval="1", until="2028-02-01"), {"until": TOO_MANY}),
        (form(count="2", ends="17:00"), {"ends": ENDS_BEFORE}),
    ]
    for typed, expected in cases:
        values, body, errors = read_series(typed, NETWORKS, TODAY)
        assert (errors, body) == (expected, None), typed
        assert values.venue == "Fauske hotell"


def test_a_network_of_another_region_and_a_past_date_are_refused() -> None:
    _, body, errors = read_series(
        form(count="2", network_id="net_elsewhere", first_date="2027-01-01"), NETWORKS, TODAY
    )
    assert body is None
    assert set(errors) == {"network_id", "first_date"}
