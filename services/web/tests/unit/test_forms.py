"""The registration form's checks and their messages."""

from samling_web.evaluation import RATING_MISSING, read_evaluation
from samling_web.forms import (
    ANSWER_MISSING,
    ANSWER_NOT_PLAIN,
    ANSWER_TOO_LONG,
    CHOICE_MISSING,
    EMAIL_INVALID,
    EMAIL_MISSING,
    MUNICIPALITY_MISSING,
    NAME_MISSING,
    NOT_PLAIN,
    ROLE_MISSING,
    TOO_LONG,
    read_answers,
    read_registration,
)
from samling_web.models import Question

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


def test_the_events_own_questions_are_checked_by_kind() -> None:
    questions = [
        Question(id="diet", label="Diett?"),
        Question(id="session", label="Økt?", required=True, options=["Lesing", "Skriving"]),
        Question(id="access", label="Tilrettelegging?", required=True),
    ]
    answers, errors = read_answers(
        {"answer_diet": " Vegetar ", "answer_session": "Regning", "answer_access": " "}, questions
    )
    assert errors == {"answer_session": CHOICE_MISSING, "answer_access": ANSWER_MISSING}
    assert answers["diet"] == "Vegetar"
    answers, errors = read_answers(
        {"answer_session": "Lesing", "answer_access": "Rullestol", "other": "x"}, questions
    )
    assert errors == {}
    assert answers == {"session": "Lesing", "access": "Rullestol"}  # blank ones left out
    _answers, errors = read_answers(
        {"answer_session": "Lesing", "answer_access": "x" * 1001}, questions
    )
    assert errors == {"answer_access": ANSWER_TOO_LONG}


def test_the_evaluation_needs_a_rating_from_one_to_five() -> None:
    answer, errors = read_evaluation({"rating": "6", "comment": "Bra\x00"})
    assert errors == {"rating": RATING_MISSING, "comment": ANSWER_NOT_PLAIN}
    answer, errors = read_evaluation(
        {"rating": "4", "useful_for_practice": "yes", "comment": " Nyttig "}
    )
    assert errors == {}
    assert answer == {"rating": 4, "useful_for_practice": True, "comment": "Nyttig"}
