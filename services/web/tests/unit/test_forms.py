"""The registration form's checks and their messages."""

from samling_web.forms import (
    EMAIL_INVALID,
    EMAIL_MISSING,
    MUNICIPALITY_MISSING,
    NAME_MISSING,
    NOT_PLAIN,
    ROLE_MISSING,
    TOO_LONG,
    read_registration,
)

KNOWN = {"NO-1804", "NO-1841"}


def test_a_complete_form_is_trimmed_and_has_no_errors() -> None:
    applicant, errors = read_registration(
        {"name": " Kari Nordmann ", "email": "Kari@Example.no ", "municipality_id": "NO-1804",
         "role": "Lærer"},
        KNOWN,
    )  # fmt: skip
    assert errors == {}
    assert applicant.name == "Kari Nordmann"
    assert applicant.email == "Kari@example.no"


def test_each_field_says_what_to_do_in_form_order() -> None:
    _applicant, errors = read_registration({"name": "", "email": "", "role": " "}, KNOWN)
    assert list(errors) == ["name", "email", "municipality_id", "role"]
    assert errors == {
        "name": NAME_MISSING,
        "email": EMAIL_MISSING,
        "municipality_id": MUNICIPALITY_MISSING,
        "role": ROLE_MISSING,
    }


def test_bad_values_keep_what_was_typed() -> None:
    applicant, errors = read_registration(
        {"name": "Kari\x00", "email": "kari(at)example", "municipality_id": "NO-9999",
         "role": "x" * 201},
        KNOWN,
    )  # fmt: skip
    assert errors == {
        "name": NOT_PLAIN,
        "email": EMAIL_INVALID,
        "municipality_id": MUNICIPALITY_MISSING,
        "role": TOO_LONG,
    }
    assert applicant.email == "kari(at)example"
