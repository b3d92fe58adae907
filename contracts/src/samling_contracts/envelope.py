"""The CloudEvents 1.0 envelope every Samling fact travels in.

Content mode: **structured**. The Kafka record value is the whole CloudEvent as JSON
(``content-type: application/cloudevents+json``), the record key is the aggregate id (the
``partitionkey`` extension). Structured mode keeps the envelope intact through tools that drop
headers (mirrors, dead-letter copies, files) and is what the ``cloudevents`` SDK's Kafka
binding reads with ``from_structured``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from samling_contracts.facts import Fact, fact_class

CONTENT_TYPE = "application/cloudevents+json"
SCHEMA_BASE = "https://samling.no/contracts/schemas"


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope whose ``data`` is one Samling fact."""

    model_config = ConfigDict(extra="allow", frozen=True)

    specversion: Literal["1.0"] = Field("1.0", description="CloudEvents version.")
    id: str = Field(description="Unique event id (UUID); consumers deduplicate on it.")
    source: str = Field(description="URI of the producing service.", examples=["/samling/network"])
    type: str = Field(
        description="Reverse-DNS, past-tense, versioned fact type.",
        examples=["no.samling.events.registration.confirmed.v1"],
    )
    time: AwareDatetime = Field(description="When the fact happened (UTC).")
    subject: str | None = Field(None, description="The entity the fact is about.")
    datacontenttype: str = Field("application/json", description="Media type of data.")
    dataschema: str | None = Field(None, description="URI of the data's JSON Schema.")
    partitionkey: str = Field(description="Kafka record key: the aggregate id.")
    data: dict[str, Any] = Field(description="The fact's payload (see dataschema).")

    def fact(self) -> Fact:
        """Parse ``data`` into the typed fact named by ``type``.

        Raises ``UnknownFactType`` for a type this version of the contracts does not know, and
        pydantic's ``ValidationError`` for data that does not match the type's schema.
        """
        return fact_class(self.type).model_validate(self.data)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        return cls.model_validate_json(raw)


def envelope(
    fact: Fact,
    *,
    source: str,
    event_id: str | None = None,
    time: datetime | None = None,
) -> CloudEvent:
    """Wrap a fact in its CloudEvent, keyed by the fact's aggregate id."""
    spec = fact.spec()
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=spec.type,
        time=time or datetime.now(UTC),
        subject=fact.subject(),
        dataschema=f"{SCHEMA_BASE}/{spec.type}.json",
        partitionkey=fact.partition_key(),
        data=fact.model_dump(mode="json"),
    )
