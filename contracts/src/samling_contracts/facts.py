"""Facts: typed, versioned payloads of the events the services publish.

A fact class is registered with :func:`fact`, which fixes its CloudEvent ``type``, its topic,
and which of its fields is the partition key (the aggregate id) and the subject.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonDict  # type: ignore[attr-defined]

from samling_contracts.topics import Topic


@dataclass(frozen=True, slots=True)
class FactSpec:
    type: str
    topic: Topic
    key: str
    subject: str

    @property
    def version(self) -> int:
        return int(self.type.rsplit(".v", 1)[1])


class UnknownFactType(LookupError):
    """A CloudEvent type this version of the contracts does not define."""


class Fact(BaseModel):
    """Base of every fact payload. Unknown fields are ignored so newer producers stay readable."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    _spec: ClassVar[FactSpec]

    @classmethod
    def spec(cls) -> FactSpec:
        return cls._spec

    def partition_key(self) -> str:
        return str(getattr(self, self._spec.key))

    def subject(self) -> str:
        return str(getattr(self, self._spec.subject))


F = TypeVar("F", bound=type[Fact])

REGISTRY: dict[str, type[Fact]] = {}


def fact(type_: str, *, topic: Topic, key: str, subject: str | None = None) -> Callable[[F], F]:
    """Register a fact class under its CloudEvent type."""

    def register(cls: F) -> F:
        if type_ in REGISTRY:
            raise ValueError(f"fact type {type_} registered twice")
        for field in (key, subject or key):
            if field not in cls.__pydantic_fields__:
                raise ValueError(f"{cls.__name__} has no field {field!r}")
        cls._spec = FactSpec(type=type_, topic=topic, key=key, subject=subject or key)
        REGISTRY[type_] = cls
        return cls

    return register


def fact_class(type_: str) -> type[Fact]:
    try:
        return REGISTRY[type_]
    except KeyError:
        raise UnknownFactType(type_) from None


def facts_on(topic: Topic) -> list[type[Fact]]:
    return [cls for cls in REGISTRY.values() if cls.spec().topic == topic]


class Part(BaseModel):
    """A nested value inside a fact; same compatibility rules, no type of its own."""

    model_config = ConfigDict(extra="ignore", frozen=True)


PERSONAL: JsonDict = {"x-personal-data": True}
"""Marks a field as personal data: allowed only on restricted topics (a contract test checks)."""
