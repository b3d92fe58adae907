"""The report form's checks, and the network API's refusals (RFC 9457) placed beside the
fields they concern, in the reader's language rather than the API's English."""

from __future__ import annotations

from samling_web import report_form as rf
from samling_web.forms import NOT_PLAIN
from samling_web.upstream_api import Refused
from starlette.datastructures import FormData, UploadFile

NETWORKS = ["net_a", "net_b"]


def form(**fields: str | list[str]) -> FormData:
    items: list[tuple[str, str | UploadFile]] = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            items.append((name, one))
    return FormData(items)


def test_a_complete_smtte_form_becomes_the_apis_body() -> None:
    draft, errors = rf.read_report(
        "smtte",
        form(title=" Lesevenner ", context="Tre skoler.", goals="Mer lesing.",
             arena=["reflection_group", "not-an-arena"], level="unit", language="nn",
             network=["net_a"], visibility="network"),
    NETWORKS)  # fmt: skip
    assert errors == {}
    assert draft.payload() == {
        "title": "Lesevenner",
        "body": {"template": "smtte", "context": "Tre skoler.", "goals": "Mer lesing.",
                 "signs": "", "actions": "", "evaluation": ""},
        "tags": {"learning_arenas": ["reflection_group"], "level": "unit", "language": "nn"},
        "network_ids": ["net_a"],
        "visibility": "network",
    }  # fmt: skip


def test_each_missing_or_wrong_field_gets_its_own_message_in_the_forms_order() -> None:
    _, errors = rf.read_report(
        "smtte", form(title="", language="xx", visibility="network", network=["net_x"]), NETWORKS
    )
    assert errors == {
        "title": rf.TITLE_MISSING,
        "context": rf.SECTIONS_MISSING,
        "language": rf.LANGUAGE_MISSING,
        "networks": rf.UNKNOWN_NETWORK,
    }
    _, errors = rf.read_report(
        "free_text", form(title="a\u0007b", language="nb", visibility="network"), NETWORKS
    )
    assert errors == {
        "title": NOT_PLAIN,
        "text": rf.TEXT_MISSING,
        "networks": rf.NETWORK_MISSING,
    }
    _, errors = rf.read_report(
        "free_text", form(title="x" * 301, text="y" * 20_001, language="nb"), NETWORKS
    )
    assert errors == {
        "title": rf.TITLE_TOO_LONG,
        "text": rf.SECTION_TOO_LONG,
        "visibility": rf.VISIBILITY_MISSING,
    }


def test_the_apis_refusals_land_beside_their_fields() -> None:
    fields = ("context", "goals")
    invalid = Refused(422, {
        "type": "https://samling.no/problems/validation",
        "detail": "body.title: too long",
        "invalid-params": [
            {"name": "body.title", "reason": "String should have at most 300 characters."},
            {"name": "body.body.smtte.goals", "reason": "Control characters."},
            {"name": "body.tags.learning_arenas.0", "reason": "Input should be …"},
            {"name": "body.tags.level", "reason": "Input should be …"},
        ],
    })  # fmt: skip
    assert rf.refusal_errors(invalid, fields) == (
        {
            "title": rf.NOT_ACCEPTED,
            "goals": rf.NOT_ACCEPTED,
            "arenas": rf.NOT_ACCEPTED,
            "level": rf.NOT_ACCEPTED,
        },
        None,
    )
    unknown = Refused(422, {"type": "https://samling.no/problems/unknown-network"})
    assert rf.refusal_errors(unknown, fields) == ({"networks": rf.UNKNOWN_NETWORK}, None)
    unregistered = Refused(422, {"type": "https://x/municipality-not-registered"})
    assert rf.refusal_errors(unregistered, fields) == ({}, rf.NOT_REGISTERED)
    assert rf.refusal_errors(Refused(409, {"type": "x/conflict"}), fields) == (
        {},
        rf.WITHDRAWN_ALREADY,
    )
    assert rf.refusal_errors(Refused(422, {"detail": "?"}), fields) == ({}, rf.NOT_SAVED)
