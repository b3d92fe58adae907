"""Kafka topic names: the only place they are spelled out.

Every topic is keyed by the aggregate id named in its docstring line, so all facts about one
aggregate land in one partition, in order. ``.restricted`` topics carry personal data and are
readable only by the services named below (enforced by ACLs in production).
"""

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    key: str
    description: str
    restricted: bool = False
    partitions: int = 3

    @property
    def dead_letter(self) -> str:
        return f"{self.name}.dlq"

    def __str__(self) -> str:
        return self.name


NETWORKS: Final = Topic(
    "samling.network.networks",
    key="network_id",
    description="Learning networks: created, updated, archived, memberships, coordinators, "
    "partners and announcements.",
)
MUNICIPALITIES: Final = Topic(
    "samling.network.municipalities",
    key="municipality_id",
    description="Municipalities registered in a region (official number, name, country).",
)
CONTACTS_RESTRICTED: Final = Topic(
    "samling.network.contacts.restricted",
    key="municipality_id",
    description="RESTRICTED: municipality contact persons with name, e-mail and language. "
    "Read only by the notifications service.",
    restricted=True,
)
REPORTS: Final = Topic(
    "samling.network.reports",
    key="report_id",
    description="Experience reports: published, revised, withdrawn. Never the body.",
)
EVENTS: Final = Topic(
    "samling.events.events",
    key="event_id",
    description="Scheduled events and dialogue conferences: lifecycle and assignments.",
)
REGISTRATIONS: Final = Topic(
    "samling.events.registrations",
    key="event_id",
    description="Registrations, waiting list, approvals, attendance and erasure. Ids only.",
)
PARTICIPANTS_RESTRICTED: Final = Topic(
    "samling.events.participants.restricted",
    key="participant_id",
    description="RESTRICTED: participant name, e-mail and language so the notifications "
    "service can write to them. Read only by the notifications service.",
    restricted=True,
)
DELIVERIES: Final = Topic(
    "samling.notifications.deliveries",
    key="notification_id",
    description="Notification deliveries: sent or failed, per channel.",
)
WEBHOOKS: Final = Topic(
    "samling.notifications.webhooks",
    key="endpoint_id",
    description="Webhook endpoint lifecycle (disabled after persistent failure or 410, enabled "
    "again by its owner).",
)

ALL_TOPICS: Final[tuple[Topic, ...]] = (
    NETWORKS,
    MUNICIPALITIES,
    CONTACTS_RESTRICTED,
    REPORTS,
    EVENTS,
    REGISTRATIONS,
    PARTICIPANTS_RESTRICTED,
    DELIVERIES,
    WEBHOOKS,
)


def every_topic_name() -> list[str]:
    """Topics and their dead-letter topics, for creating them up front."""
    return [name for t in ALL_TOPICS for name in (t.name, t.dead_letter)]
