"""The registration form: what a person typed, checked before anything is sent.

Messages are gettext message ids (marked with ``N_``), translated when the page is rendered,
so the same check speaks every reader's language.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass

from email_validator import EmailNotValidError, validate_email
from pydantic import TypeAdapter, ValidationError
from samling_runtime.inputs import MultiLine, SingleLine

from samling_web.i18n import N_
from samling_web.models import Question

FIELDS = ("name", "email", "municipality_id", "role")
MAX_LENGTH = 200
ANSWER_MAX_LENGTH = 1000
ANSWER_PREFIX = "answer_"
_single_line: TypeAdapter[str] = TypeAdapter(SingleLine)
_multi_line: TypeAdapter[str] = TypeAdapter(MultiLine)

NAME_MISSING = N_("Enter your full name")
EMAIL_MISSING = N_("Enter your e-mail address")
EMAIL_INVALID = N_("Enter an e-mail address in the correct format, like name@example.no")
MUNICIPALITY_MISSING = N_("Choose the municipality you work for")
ROLE_MISSING = N_("Enter your role, for example teacher or nurse")
TOO_LONG = N_("Use 200 characters or fewer")
NOT_PLAIN = N_("Use letters, numbers and punctuation only, on one line")
NOT_A_MEMBER = N_(
    "Only municipalities in this event's network can register. Choose another municipality "
    "or ask the organiser."
)
ANSWER_MISSING = N_("Answer this question")
CHOICE_MISSING = N_("Choose one of the answers")
ANSWER_TOO_LONG = N_("Use 1000 characters or fewer")
ANSWER_NOT_PLAIN = N_("Use letters, numbers and punctuation only")
ALREADY_REGISTERED = N_(
    "This e-mail address is already registered for this event. The e-mail we sent has a "
    "link to see or cancel the registration."
)


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str
    municipality_id: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def one_line(value: str, missing: str) -> str | None:
    """The message for a required one-line text, or None when it is fine."""
    if not value:
        return missing
    if len(value) > MAX_LENGTH:
        return TOO_LONG
    try:
        _single_line.validate_python(value)
    except ValidationError:
        return NOT_PLAIN
    return None


def read_registration(
    form: Mapping[str, str], municipalities: Collection[str]
) -> tuple[Applicant, dict[str, str]]:
    """The applicant as typed (trimmed) and a message per field that is not right yet, in
    the order of the form (the error summary lists them in that order)."""
    values = {name: str(form.get(name, "")).strip() for name in FIELDS}
    errors: dict[str, str] = {}
    if message := one_line(values["name"], NAME_MISSING):
        errors["name"] = message
    if not values["email"]:
        errors["email"] = EMAIL_MISSING
    else:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = EMAIL_INVALID
    if values["municipality_id"] not in municipalities:
        errors["municipality_id"] = MUNICIPALITY_MISSING
    if message := one_line(values["role"], ROLE_MISSING):
        errors["role"] = message
    return Applicant(**values), errors


def long_text(value: str, max_length: int, too_long: str) -> str | None:
    """The message for a free text of several lines, or None when it is fine."""
    if len(value) > max_length:
        return too_long
    try:
        _multi_line.validate_python(value)
    except ValidationError:
        return ANSWER_NOT_PLAIN
    return None


def answer_field(question: Question) -> str:
    """The form field (and element id) of an event's question."""
    return ANSWER_PREFIX + question.id


def read_answers(
    form: Mapping[str, str], questions: list[Question]
) -> tuple[dict[str, str], dict[str, str]]:
    """The answers to the event's own questions by question id (blank ones left out, as the
    events API keeps them) and a message per field not right yet, keyed by form field."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for question in questions:
        name = answer_field(question)
        value = str(form.get(name, "")).strip()
        if not value:
            if question.required:
                errors[name] = CHOICE_MISSING if question.options else ANSWER_MISSING
            continue
        if question.options is not None and value not in question.options:
            errors[name] = CHOICE_MISSING
        elif message := long_text(value, ANSWER_MAX_LENGTH, ANSWER_TOO_LONG):
            errors[name] = message
        answers[question.id] = value
    return answers, errors
