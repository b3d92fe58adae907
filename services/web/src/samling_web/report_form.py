"""The report form: what an administrator typed, checked before the network API is called,
and the API's refusals (RFC 9457) turned into messages beside the fields they concern.

Messages are gettext message ids (``N_``), translated when the page is rendered, so the
same check speaks every reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from samling_runtime.inputs import SingleLine

from samling_web.forms import NOT_PLAIN, long_text
from samling_web.i18n import ENDONYMS, N_
from samling_web.report_terms import ARENAS, LEVELS, TEMPLATE_FIELDS, VISIBILITIES, ReportView
from samling_web.upstream_api import Refused

TITLE_MAX = 300
SECTION_MAX = 20_000
_single_line: TypeAdapter[str] = TypeAdapter(SingleLine)

TITLE_MISSING = N_("Enter a title")
TITLE_TOO_LONG = N_("Use 300 characters or fewer")
TEXT_MISSING = N_("Write the report")
SECTIONS_MISSING = N_("Write at least one of the sections")
SECTION_TOO_LONG = N_("Use 20,000 characters or fewer")
LANGUAGE_MISSING = N_("Choose the language the report is written in")
VISIBILITY_MISSING = N_("Choose who may read the report")
NETWORK_MISSING = N_("Choose at least one network, or choose that others may read it")
UNKNOWN_NETWORK = N_("Choose networks of your region only")
NOT_ACCEPTED = N_("This was not accepted. Check it and try again")
WITHDRAWN_ALREADY = N_("This report is withdrawn and cannot be published again. Write a new one.")
NOT_REGISTERED = N_("Your municipality is not registered in Samling yet. Ask your coordinator.")
NOT_SAVED = N_("The report could not be saved. Try again.")


@dataclass
class Draft:
    """The form's values as typed (trimmed), ready to show again or to send."""

    template: str
    title: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    arenas: list[str] = field(default_factory=list)
    level: str = ""
    language: str = ""
    networks: list[str] = field(default_factory=list)
    visibility: str = "private"

    def payload(self) -> dict[str, Any]:
        """The network API's body for a new report or a change (every field given)."""
        return {
            "title": self.title,
            "body": {"template": self.template, **self.sections},
            "tags": {
                "learning_arenas": self.arenas,
                "level": self.level or None,
                "language": self.language,
            },
            "network_ids": self.networks,
            "visibility": self.visibility,
        }

    @classmethod
    def of(cls, report: ReportView) -> Draft:
        return cls(
            template=report.template,
            title=report.title,
            sections={k: report.body.get(k, "") for k in TEMPLATE_FIELDS[report.template]},
            arenas=list(report.tags.learning_arenas),
            level=report.tags.level or "",
            language=report.tags.language,
            networks=list(report.network_ids),
            visibility=report.visibility,
        )


def read_report(template: str, form: Any, networks: Sequence[str]) -> tuple[Draft, dict[str, str]]:
    """The draft as typed and a message per field not right yet, in the form's order.

    ``form`` is Starlette's form data (``getlist`` for the checkboxes)."""
    fields = TEMPLATE_FIELDS[template]
    draft = Draft(
        template=template,
        title=str(form.get("title") or "").strip(),
        sections={name: str(form.get(name) or "").strip() for name in fields},
        arenas=[a for a in form.getlist("arena") if a in ARENAS],
        level=str(form.get("level") or "") if form.get("level") in LEVELS else "",
        language=str(form.get("language") or ""),
        networks=[n for n in form.getlist("network") if isinstance(n, str)],
        visibility=str(form.get("visibility") or ""),
    )
    errors: dict[str, str] = {}
    if not draft.title:
        errors["title"] = TITLE_MISSING
    elif len(draft.title) > TITLE_MAX:
        errors["title"] = TITLE_TOO_LONG
    else:
        try:
            _single_line.validate_python(draft.title)
        except ValidationError:
            errors["title"] = NOT_PLAIN
    for name in fields:
        if message := long_text(draft.sections[name], SECTION_MAX, SECTION_TOO_LONG):
            errors[name] = message
    if not any(draft.sections.values()):
        errors[fields[0]] = TEXT_MISSING if template == "free_text" else SECTIONS_MISSING
    if draft.language not in ENDONYMS:
        errors["language"] = LANGUAGE_MISSING
    if any(n not in networks for n in draft.networks):
        errors["networks"] = UNKNOWN_NETWORK
    if draft.visibility not in VISIBILITIES:
        errors["visibility"] = VISIBILITY_MISSING
    elif draft.visibility == "network" and not draft.networks and "networks" not in errors:
        errors["networks"] = NETWORK_MISSING
    return draft, errors


# Where each part of the API's body is shown in the form.
_PLACES = {
    "title": "title",
    "level": "level",
    "language": "language",
    "tags": "arenas",
    "network_ids": "networks",
    "visibility": "visibility",
}


def refusal_errors(refused: Refused, fields: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """The API's refusal as messages by form field, and one for the summary when it concerns
    no field (the API's own text is English; the reader gets ours, in their language)."""
    if refused.kind == "unknown-network":
        return {"networks": UNKNOWN_NETWORK}, None
    if refused.kind == "municipality-not-registered":
        return {}, NOT_REGISTERED
    if refused.status == 409:
        return {}, WITHDRAWN_ALREADY
    errors: dict[str, str] = {}
    for parts in refused.invalid_names():
        place = next((p for p in reversed(parts) if p in fields), None)
        place = place or next((_PLACES[p] for p in reversed(parts) if p in _PLACES), None)
        if place is not None:
            errors.setdefault(place, NOT_ACCEPTED)
    if refused.status == 422 and "network_ids" in str(refused.problem.get("detail", "")):
        errors.setdefault("networks", NETWORK_MISSING)
    return errors, None if errors else NOT_SAVED
