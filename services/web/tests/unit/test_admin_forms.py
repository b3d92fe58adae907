"""The contact persons form and the announcement form: what is checked before a service is
called, and what is sent."""

from __future__ import annotations

from samling_web.announcement_form import (
    BODY_MISSING,
    LANGUAGE_MISSING,
    TITLE_TOO_SHORT,
    read_announcement,
)
from samling_web.contact_form import (
    EMAIL_MISSING,
    EMAIL_TWICE,
    NAME_MISSING,
    Contact,
    kept,
    read_contacts,
    rows_of,
)
from samling_web.contact_form import LANGUAGE_MISSING as CONTACT_LANGUAGE_MISSING
from samling_web.forms import EMAIL_INVALID, NOT_PLAIN


def _form(*rows: tuple[str, str, str, str]) -> dict[str, str]:
    form = {"rows": str(len(rows))}
    for n, (contact_id, name, email, language) in enumerate(rows):
        form |= {f"contact_id-{n}": contact_id, f"name-{n}": name, f"email-{n}": email,
                 f"language-{n}": language}  # fmt: skip
    return form


def test_empty_rows_are_people_removed_and_the_rest_is_sent_normalised() -> None:
    rows, errors = read_contacts(
        _form(("con_1", " Åse Ørnes ", "Ase@Bodo.Kommune.NO", "nn"), ("", "", "", "nb")),
        known={"con_1"},
    )
    assert errors == {}
    assert [r.payload() for r in kept(rows)] == [
        {
            "contact_id": "con_1",
            "name": "Åse Ørnes",
            "email": "Ase@bodo.kommune.no",
            "language": "nn",
            "role": None,
        },
    ]
    assert len(rows) == 2  # the empty row is shown again


def test_a_role_is_optional_and_one_line() -> None:
    form = _form(("", "Åse", "ase@bodo.kommune.no", "nb"), ("", "Per", "per@bodo.kommune.no", "nb"))
    rows, errors = read_contacts({**form, "role-0": " Rektor ", "role-1": "to\nlinjer"}, set())
    assert errors == {"role-1": NOT_PLAIN}
    assert rows[0].payload()["role"] == "Rektor"


def test_each_field_gets_its_own_message() -> None:
    _, errors = read_contacts(
        _form(
            ("", "", "per@bodo.kommune.no", "nb"),
            ("", "Kari", "", "nb"),
            ("", "Ola", "not an address", "nb"),
            ("", "Per Pål", "PER@bodo.kommune.no", "xx"),
            ("", "Linje\nbrudd", "linje@bodo.kommune.no", "nb"),
        ),
        known=set(),
    )
    assert errors == {
        "name-0": NAME_MISSING,
        "email-1": EMAIL_MISSING,
        "email-2": EMAIL_INVALID,
        "email-3": EMAIL_TWICE,
        "language-3": CONTACT_LANGUAGE_MISSING,
        "name-4": NOT_PLAIN,
    }


def test_an_id_the_municipality_does_not_have_is_not_sent() -> None:
    rows, _ = read_contacts(_form(("con_forged", "Åse", "ase@bodo.kommune.no", "nb")), known=set())
    assert rows[0].payload()["contact_id"] is None


def test_the_form_has_room_for_two_more_up_to_the_apis_fifty() -> None:
    one = Contact(contact_id="con_1", name="Åse", email="ase@bodo.kommune.no", language="nb")
    assert [r.name for r in rows_of([one])] == ["Åse", "", ""]
    assert len(rows_of([one] * 49)) == 50
    assert len(rows_of([one] * 50)) == 50


def test_an_announcement_needs_a_title_a_text_and_a_language() -> None:
    typed, errors = read_announcement({"title": " x ", "body": "  ", "language": "tlh"})
    assert typed.title == "x"
    assert errors == {"title": TITLE_TOO_SHORT, "body": BODY_MISSING, "language": LANGUAGE_MISSING}
    typed, errors = read_announcement({"title": "Midler", "body": "Søk.", "language": "sv"})
    assert errors == {}
    assert typed.payload() == {"title": "Midler", "body": "Søk.", "language": "sv"}
