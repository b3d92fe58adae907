"""Webhook endpoints as the notifications API describes them, and the facts one may ask for:
every public fact type (the API refuses restricted ones), grouped by the topic it is on."""

from __future__ import annotations

from datetime import datetime

from samling_contracts.facts import REGISTRY

from samling_web.i18n import N_
from samling_web.models import Upstream

TOPIC_LABELS = {
    "samling.network.networks": N_("Networks and memberships"),
    "samling.network.municipalities": N_("Municipalities"),
    "samling.network.reports": N_("Experience reports"),
    "samling.events.events": N_("Events"),
    "samling.events.registrations": N_("Registrations"),
    "samling.notifications.deliveries": N_("Notification deliveries"),
    "samling.notifications.webhooks": N_("Webhook endpoints"),
}


def _fact_types() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for fact_type, cls in sorted(REGISTRY.items()):
        topic = cls.spec().topic
        if not topic.restricted:
            grouped.setdefault(topic.name, []).append(fact_type)
    return grouped


FACT_TYPES = _fact_types()
"""Topic name -> the CloudEvent types on it that an endpoint may ask for."""
PUBLIC_TYPES = frozenset(t for types in FACT_TYPES.values() for t in types)


class Endpoint(Upstream):
    id: str
    url: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    secret_rotated_at: datetime | None = None
    previous_secret_until: datetime | None = None
    created_at: datetime


class WithSecret(Endpoint):
    """An endpoint as created or rotated: its secret, shown to the owner this once."""

    secret: str


class Delivery(Upstream):
    id: str
    event_type: str
    status: str
    attempts: int
    last_reason: str | None = None
    next_attempt_at: datetime | None = None
    created_at: datetime


class Deliveries(Upstream):
    items: list[Delivery]
    next_cursor: str | None = None


DELIVERY_STATUSES = {
    "queued": N_("Queued"),
    "retrying": N_("Retrying"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "skipped": N_("Skipped: the endpoint was disabled"),
}
