"""The contact persons form: one row per person (name, e-mail, role, language), checked before the
network API is called. A row left empty is a person removed; two empty rows at the end of the
form take new people without JavaScript.

Messages are gettext message ids (``N_``), translated when the page is rendered.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from samling_web.forms import EMAIL_INVALID, one_line
from samling_web.i18n import LANGUAGES, N_
from samling_web.models import Upstream

MOST = 50  # the network API's longest list
BLANK_ROWS = 2

NAME_MISSING = N_("Enter the contact person's full name")
NAME_TOO_SHORT = N_("Use at least 2 characters")
EMAIL_MISSING = N_("Enter the contact person's e-mail address")
EMAIL_TWICE = N_("This e-mail address is on another row already")
LANGUAGE_MISSING = N_("Choose the language the contact person reads")


class Contact(Upstream):
    """A contact person as the network API returns them (to the municipality's own
    administrators and its region's coordinators)."""

    contact_id: str
    name: str
    email: str
    language: str
    role: str | None = None


@dataclass(frozen=True)
class Row:
    """One row of the form as typed (trimmed)."""

    contact_id: str = ""
    name: str = ""
    email: str = ""
    language: str = "nb"
    role: str = ""

    @property
    def empty(self) -> bool:
        return not self.name and not self.email and not self.role

    def payload(self) -> dict[str, Any]:
        return {
            "contact_id": self.contact_id or None,
            "name": self.name,
            "email": self.email,
            "language": self.language,
            "role": self.role or None,
        }


def rows_of(contacts: list[Contact]) -> list[Row]:
    """The form for the current contact persons, with room for new ones."""
    rows = [Row(c.contact_id, c.name, c.email, c.language, c.role or "") for c in contacts]
    return [*rows, *[Row() for _ in range(min(BLANK_ROWS, MOST - len(rows)))]]


def _row(form: Mapping[str, Any], n: int, known: Collection[str]) -> Row:
    def value(name: str) -> str:
        return str(form.get(f"{name}-{n}") or "").strip()

    contact_id = value("contact_id")
    return Row(
        # Only an id the municipality already has: a made-up one must not become a person's id.
        contact_id=contact_id if contact_id in known else "",
        name=value("name"),
        email=value("email"),
        language=value("language"),
        role=value("role"),
    )


def _checked(row: Row, n: int, seen: set[str]) -> tuple[Row, dict[str, str]]:
    """The row with its e-mail address normalised, and its fields' messages."""
    errors: dict[str, str] = {}
    if message := one_line(row.name, NAME_MISSING):
        errors[f"name-{n}"] = message
    elif len(row.name) < 2:
        errors[f"name-{n}"] = NAME_TOO_SHORT
    if not row.email:
        errors[f"email-{n}"] = EMAIL_MISSING
    else:
        try:
            email = validate_email(row.email, check_deliverability=False).normalized
            row = Row(row.contact_id, row.name, email, row.language, row.role)
        except EmailNotValidError:
            errors[f"email-{n}"] = EMAIL_INVALID
        if row.email.lower() in seen:
            errors[f"email-{n}"] = EMAIL_TWICE
    if row.role and (message := one_line(row.role, "")):
        errors[f"role-{n}"] = message
    if row.language not in LANGUAGES:
        errors[f"language-{n}"] = LANGUAGE_MISSING
    return row, errors


def read_contacts(
    form: Mapping[str, Any], known: Collection[str]
) -> tuple[list[Row], dict[str, str]]:
    """Every row as typed (to show again) and a message per field not right yet, keyed by the
    field's id, in the order of the form. ``known``: the contact ids the municipality has."""
    try:
        count = max(0, min(int(str(form.get("rows") or 0)), MOST))
    except ValueError:
        count = 0
    rows: list[Row] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for n in range(count):
        row = _row(form, n, known)
        if not row.empty:
            row, found = _checked(row, n, seen)
            errors.update(found)
            seen.add(row.email.lower())
        rows.append(row)
    return rows, errors


def kept(rows: list[Row]) -> list[Row]:
    """The people to send: the rows not left empty."""
    return [row for row in rows if not row.empty]
