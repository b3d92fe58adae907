"""The evaluation form after an event (the E of SMTTE): a rating from 1 to 5, whether it was
useful for practice, and a comment; checked before it is sent, messages as gettext ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from samling_web.forms import long_text
from samling_web.i18n import N_

FIELDS = ("rating", "useful_for_practice", "comment")
RATINGS = ("1", "2", "3", "4", "5")
COMMENT_MAX_LENGTH = 3000

RATING_MISSING = N_("Choose how good the event was, from 1 to 5")
COMMENT_TOO_LONG = N_("Use 3000 characters or fewer")


def read_evaluation(form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer as the events API takes it, and a message per field not right yet."""
    errors: dict[str, str] = {}
    rating = form.get("rating", "")
    if rating not in RATINGS:
        errors["rating"] = RATING_MISSING
    useful = {"yes": True, "no": False}.get(form.get("useful_for_practice", ""))
    comment = form.get("comment", "").strip()
    if message := long_text(comment, COMMENT_MAX_LENGTH, COMMENT_TOO_LONG):
        errors["comment"] = message
    answer = {
        "rating": int(rating) if rating in RATINGS else 0,
        "useful_for_practice": useful,
        "comment": comment,
    }
    return answer, errors
