"""The committed schemas are the published contract: code may not drift from them or break them."""

import copy
from pathlib import Path
from typing import Any

import pytest
from samling_contracts.schemas import breaking_changes, check, current_schemas, export

REGISTRATION = "no.samling.events.registration.confirmed.v1"
REPORT = "no.samling.network.report.published.v1"


def test_code_matches_committed_schemas() -> None:
    assert check() == []


def test_every_fact_field_documents_itself() -> None:
    def undocumented(schema: dict[str, Any], root: dict[str, Any], path: str) -> list[str]:
        missing = []
        for name, prop in schema.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{path}.{name}")
            ref = prop.get("$ref")
            if ref:
                missing += undocumented(root["$defs"][ref.split("/")[-1]], root, f"{path}.{name}")
        return missing

    problems = [p for t, s in current_schemas().items() for p in undocumented(s, s, t)]
    assert problems == []


def _published(type_: str) -> dict[str, Any]:
    return copy.deepcopy(current_schemas()[type_])


def test_adding_an_optional_field_is_compatible() -> None:
    old = _published(REGISTRATION)
    new = copy.deepcopy(old)
    new["properties"]["role"] = {"type": "string", "description": "x"}
    assert breaking_changes(old, new) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["properties"].pop("municipality_id"), "/municipality_id: removed"),
        (lambda s: s["properties"]["registration_id"].update(type="integer"), "type changed"),
        (
            lambda s: (
                s["required"].append("role") or s["properties"].update(role={"type": "string"})
            ),
            "/role: now required",
        ),
    ],
)
def test_breaking_changes_are_detected(change: Any, expected: str) -> None:
    old = _published(REGISTRATION)
    new = copy.deepcopy(old)
    change(new)
    assert any(expected in p for p in breaking_changes(old, new))


def test_optional_field_made_required_is_breaking() -> None:
    old = _published(REPORT)
    new = copy.deepcopy(old)
    new["required"].append("title")
    assert "/title: now required" in breaking_changes(old, new)


def test_removing_an_enum_value_from_a_nested_definition_is_breaking() -> None:
    old = _published(REPORT)
    new = copy.deepcopy(old)
    new["$defs"]["Visibility"]["enum"].remove("region")
    assert any("enum values removed" in p for p in breaking_changes(old, new))


def test_export_refuses_a_breaking_change(tmp_path: Path) -> None:
    assert export(tmp_path) == []
    published = tmp_path / f"{REGISTRATION}.json"
    text = published.read_text().replace('"participant_id"', '"participant_ref"')
    # The committed file now promises a field the code does not have: exporting would remove it.
    published.write_text(text)
    assert any("participant_ref: removed" in p for p in export(tmp_path))
    assert published.read_text() == text
