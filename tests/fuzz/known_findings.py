"""Fuzzing findings that need a change in a service's routes (services/*/adapters/api/).

Each key is ``<service> <METHOD> <path> <check title> [<status>]`` exactly as the fuzz test
prints it; the value says what should happen instead. The fuzz test prints those it sees and
fails on any finding not listed here. Empty this list as the routes are fixed.
"""

_CALENDAR_ID = (
    "An id with a control character in the path (e.g. a vertical tab, as %0B) reaches "
    "icalendar, which refuses it ('Content line can not contain unescaped new line "
    "characters'): 500. The id should be a SingleLine path parameter (422 validation problem), "
    "or written escaped."
)

KNOWN: dict[str, str] = {
    "events GET /calendars/municipalities/{municipality_id}.ics Server error [500]": _CALENDAR_ID,
    "events GET /calendars/municipalities/{municipality_id}.ics Undocumented status code [500]": (
        _CALENDAR_ID
    ),
    "events GET /calendars/networks/{network_id}.ics Server error [500]": _CALENDAR_ID,
    "events GET /calendars/networks/{network_id}.ics Undocumented status code [500]": _CALENDAR_ID,
}
