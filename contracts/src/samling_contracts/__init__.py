"""Samling's event contracts: topics, the CloudEvents envelope and every fact's payload.

Importing this package registers every fact type, so ``CloudEvent.fact()`` can parse any of them.
"""

from samling_contracts import events, network, notifications, transfer
from samling_contracts.envelope import CONTENT_TYPE, CloudEvent, envelope
from samling_contracts.facts import REGISTRY, Fact, FactSpec, UnknownFactType, fact_class, facts_on
from samling_contracts.topics import ALL_TOPICS, Topic

__all__ = [
    "ALL_TOPICS",
    "CONTENT_TYPE",
    "REGISTRY",
    "CloudEvent",
    "Fact",
    "FactSpec",
    "Topic",
    "UnknownFactType",
    "envelope",
    "events",
    "fact_class",
    "facts_on",
    "network",
    "notifications",
    "transfer",
]
