"""The announcement form a coordinator posts to a network: checked before the network API is
called (its limits: a title of 2 to 200 characters on one line, a text of up to 10,000)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from samling_web.forms import long_text, one_line
from samling_web.i18n import LANGUAGES, N_

TITLE_MAX = 200
BODY_MAX = 10_000

TITLE_MISSING = N_("Enter a title")
TITLE_TOO_SHORT = N_("Use at least 2 characters")
BODY_MISSING = N_("Write the announcement")
BODY_TOO_LONG = N_("Use 10,000 characters or fewer")
LANGUAGE_MISSING = N_("Choose the language the announcement is written in")


@dataclass(frozen=True)
class NewAnnouncement:
    title: str = ""
    body: str = ""
    language: str = "nb"

    def payload(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body, "language": self.language}


def read_announcement(form: Mapping[str, Any]) -> tuple[NewAnnouncement, dict[str, str]]:
    """The announcement as typed (trimmed) and a message per field not right yet."""
    typed = NewAnnouncement(
        title=str(form.get("title") or "").strip(),
        body=str(form.get("body") or "").strip(),
        language=str(form.get("language") or ""),
    )
    errors: dict[str, str] = {}
    if message := one_line(typed.title, TITLE_MISSING):
        errors["title"] = message
    elif len(typed.title) < 2:
        errors["title"] = TITLE_TOO_SHORT
    if not typed.body:
        errors["body"] = BODY_MISSING
    elif message := long_text(typed.body, BODY_MAX, BODY_TOO_LONG):
        errors["body"] = message
    if typed.language not in LANGUAGES:
        errors["language"] = LANGUAGE_MISSING
    return typed, errors
