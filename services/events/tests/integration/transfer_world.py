"""Transfer plans to test with: a course, a confirmed registration, a named manager, and the
links each person holds (against the real Kafka and store)."""

from dataclasses import dataclass
from typing import Any

from samling_devtools.testing import RunningService, unique
from samling_events.adapters.api.tokens import manage_token
from samling_events.adapters.api.transfer_sides import manager_token
from samling_events.settings import EventsSettings

from .conftest import COORDINATOR, applicant, published_event
from .test_registration import token_for

MANAGER = {"name": "Ola Leder", "email": "ola.leder@bodo.kommune.no"}
FORGED = "not-the-service-secret"


def service_secret(events: RunningService) -> str:
    settings = events.app.state.runtime.settings
    assert isinstance(settings, EventsSettings)
    return settings.participant_secret.get_secret_value()


@dataclass
class Plan:
    events: RunningService
    plan_id: str
    event_id: str
    registration_id: str
    participant_id: str
    participant: str
    """The participant's path to the plan (their private link)."""
    manager_key: str = ""

    async def refresh(self) -> "Plan":
        """Read the current manager's key (the random part of their link)."""
        doc = await self.events.db["transfer_plans"].find_one({"_id": self.plan_id})
        assert doc is not None
        self.manager_key = doc["manager_key"]
        return self

    @property
    def manager(self) -> str:
        """The current manager's path to the plan (their private link)."""
        token = manager_token(self.plan_id, self.manager_key, service_secret(self.events))
        return f"/transfer/{token}"

    def forged(self, side: str) -> str:
        """A link to this plan signed with another key, as someone without one could make."""
        if side == "manager":
            return f"/transfer/{manager_token(self.plan_id, self.manager_key, FORGED)}"
        token = manage_token(self.participant_id, FORGED)
        return f"/manage/{token}/registrations/{self.registration_id}/transfer"


async def course(events: RunningService, network_id: str, **overrides: Any) -> str:
    return await published_event(events, network_id, kind="course_seminar", **overrides)


async def make_plan(events: RunningService, event_id: str, municipality: str = "NO-1804") -> Plan:
    person = applicant(1, municipality, email=f"{unique('person')}@example.no")
    created = await events.client.post(
        f"/events/{event_id}/registrations", json=person, headers=COORDINATOR
    )
    assert created.status_code == 201, created.text
    reg = created.json()
    assert reg["status"] == "confirmed", reg
    token = token_for(events, reg["participant_id"])
    base = f"/manage/{token}/registrations/{reg['id']}/transfer"
    named = await events.client.put(base, json=MANAGER)
    assert named.status_code == 200, named.text
    plan = Plan(
        events=events,
        plan_id=named.json()["plan_id"],
        event_id=event_id,
        registration_id=reg["id"],
        participant_id=reg["participant_id"],
        participant=base,
    )
    return await plan.refresh()
