"""What a domain decision produces or refuses, with nothing of a store, a broker or HTTP.

Domain packages import the shared kernel and never the runtime, so a rule can be read,
imported and tested without pymongo, FastAPI or FastStream installed (import contracts in
``make test`` keep it so). The HTTP answer to a refusal is chosen once, by
the shared problem handlers: the same kind is the same status in every service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel
from samling_contracts import Fact

S = TypeVar("S", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Change(Generic[S]):
    """What a decision produced: the new state and the facts to publish with it."""

    state: S
    facts: Iterable[Fact] = ()
    trace: Mapping[str, str] | None = None
    """The W3C trace context the facts belong to; None: the current one (the request's)."""


class Refusal(StrEnum):
    """Why a request was refused; each kind is one problem type and one status everywhere."""

    NOT_FOUND = "not-found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    """It clashes with the current state (already decided, deadline passed...)."""
    INVALID = "validation"
    """It breaks a rule about the request itself (a missing answer, an end before the start)."""


class Refused(Exception):
    """A request the domain refuses; the detail is meant for a person to read."""

    kind: Refusal = Refusal.CONFLICT

    def __init__(self, detail: str, *, kind: Refusal | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if kind is not None:
            self.kind = kind
