"""Names for the events API's codes, as gettext message ids (the kinds of gathering are the
learning arenas a network uses; the events API owns the codes)."""

from __future__ import annotations

from samling_web.i18n import N_

EVENT_KINDS = {
    "dialogue_conference": N_("Dialogue conference"),
    "network_meeting": N_("Network meeting"),
    "theme_day": N_("Theme day"),
    "course_seminar": N_("Course or seminar"),
    "workshop": N_("Workshop"),
    "study_trip": N_("Study trip"),
    "webinar": N_("Webinar"),
    "other": N_("Other gathering"),
}
