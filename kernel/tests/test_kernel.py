"""The shared kernel: what a domain may use, importable without any of the I/O stack."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import BaseModel, ValidationError
from samling_kernel.bodies import RequestBody
from samling_kernel.decisions import Refusal, Refused
from samling_kernel.text import MultiLine, SingleLine


def test_importing_the_kernel_loads_no_store_broker_http_or_runtime() -> None:
    heavy = [
        *("pymongo", "fastapi", "starlette", "faststream", "aiokafka", "opentelemetry"),
        "samling_runtime",
    ]
    probe = (
        "import sys, samling_kernel.decisions, samling_kernel.bodies, samling_kernel.text\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_refusal_is_a_conflict_unless_it_says_otherwise() -> None:
    assert Refused("already decided").kind is Refusal.CONFLICT
    missing = Refused("no such plan", kind=Refusal.NOT_FOUND)
    assert (missing.kind, missing.detail, str(missing)) == (
        Refusal.NOT_FOUND,
        "no such plan",
        "no such plan",
    )


class Note(RequestBody):
    title: SingleLine
    body: MultiLine = ""


def test_a_body_refuses_unknown_fields_and_control_characters() -> None:
    assert Note.model_validate({"title": "Plan", "body": "a\n\tb"}).body == "a\n\tb"
    with pytest.raises(ValidationError, match="extra"):
        Note.model_validate({"title": "Plan", "colour": "red"})
    with pytest.raises(ValidationError, match="control characters"):
        Note.model_validate({"title": "Plan\nB"})
    with pytest.raises(ValidationError, match="other than line breaks"):
        Note.model_validate({"title": "Plan", "body": "a\x00b"})


def test_the_text_types_work_in_any_pydantic_model() -> None:
    class Free(BaseModel):
        name: SingleLine

    with pytest.raises(ValidationError):
        Free(name="bell\x07")
