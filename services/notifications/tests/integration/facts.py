"""Publishing facts the way the network and events services do, and a small world of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from samling_contracts import CONTENT_TYPE, CloudEvent, Fact, envelope
from samling_contracts.events import EventScheduled, ParticipantContactRecorded
from samling_contracts.network import (
    ContactPerson,
    ContactPersonsChanged,
    MunicipalityJoinedNetwork,
    NetworkCreated,
)
from samling_devtools.testing import eventually, producer

START = datetime(2027, 2, 10, 8, 0, tzinfo=UTC)


async def publish(bootstrap: str, *facts: Fact) -> list[CloudEvent]:
    events = [envelope(f, source="/test") for f in facts]
    async with producer(bootstrap) as p:
        for event in events:
            await send(p, event)
    return events


async def send(p: object, event: CloudEvent) -> None:
    topic = type(event.fact()).spec().topic.name
    await p.send_and_wait(  # type: ignore[attr-defined]
        topic,
        event.to_json(),
        key=event.partitionkey.encode(),
        headers=[("content-type", CONTENT_TYPE.encode())],
    )


def tag() -> str:
    return uuid.uuid4().hex[:8]


@dataclass
class World:
    """A network with member municipalities and their contact persons (unique per test)."""

    run: str = field(default_factory=tag)
    network_id: str = ""
    municipalities: list[str] = field(default_factory=list)
    contacts: list[ContactPerson] = field(default_factory=list)
    mailbox: str = ""
    """Appended to every local part: ``+slow`` makes the SMTP sink answer each mail late."""

    def __post_init__(self) -> None:
        self.network_id = f"net_{self.run}"

    def email(self, who: str) -> str:
        return f"{who}{self.mailbox}.{self.run}@example.no"

    def setup_facts(
        self, municipalities: int, contacts_each: int, language: str = "nb"
    ) -> list[Fact]:
        facts: list[Fact] = [
            NetworkCreated(
                network_id=self.network_id,
                region_id="rkk-salten",
                name=f"Nettverk {self.run}",
                field="school",
            )
        ]
        for m in range(municipalities):
            municipality_id = f"NO-{(int(self.run, 16) + m) % 9000 + 1000}"
            self.municipalities.append(municipality_id)
            people = [
                ContactPerson(
                    contact_id=f"con_{self.run}_{m}_{c}",
                    name=f"Kontakt {m}-{c}",
                    email=self.email(f"c{m}-{c}"),
                    language=language,
                )
                for c in range(contacts_each)
            ]
            self.contacts.extend(people)
            facts.append(
                MunicipalityJoinedNetwork(
                    network_id=self.network_id,
                    municipality_id=municipality_id,
                    membership_id=f"mem_{self.run}_{m}",
                    starts_on=date(2026, 1, 1),
                )
            )
            facts.append(ContactPersonsChanged(municipality_id=municipality_id, contacts=people))
        return facts

    async def settled(self, db: Any) -> None:
        """Wait until the service knows the network, its members and their contact persons
        (facts on different topics are consumed independently, in no particular order)."""

        async def known() -> bool:
            members = await db.memberships.count_documents({"network_id": self.network_id})
            contacts = await db.recipients.count_documents(
                {"_id": {"$in": [c.contact_id for c in self.contacts]}, "active": True}
            )
            network = await db.networks.count_documents({"_id": self.network_id})
            return bool(
                members == len(self.municipalities)
                and contacts == len(self.contacts)
                and network == 1
            )

        await eventually(known, timeout=60)

    def event(
        self, suffix: str = "1", sequence: int = 0, starts_at: datetime = START, **extra: object
    ) -> EventScheduled:
        return EventScheduled(
            event_id=f"evt_{self.run}_{suffix}",
            network_id=self.network_id,
            region_id="rkk-salten",
            kind="dialogue_conference",
            title=f"Dialogkonferanse {self.run}",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=6),
            timezone="Europe/Oslo",
            venue="Bodø rådhus",
            capacity=60,
            sequence=sequence,
            **extra,
        )

    def participant(self, n: int, language: str = "nb") -> ParticipantContactRecorded:
        return ParticipantContactRecorded(
            participant_id=f"par_{self.run}_{n}",
            name=f"Deltaker {n}",
            email=self.email(f"p{n}"),
            language=language,
            manage_url=f"https://samling.no/r/{self.run}{n}",
        )
