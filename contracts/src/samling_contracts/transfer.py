"""Facts about transfer plans: a participant's three conversations with their manager.

The conversations' notes are confidential and never leave the events service: these facts say
only that a plan exists, when each conversation is due and that one was held, so the
notifications service can remind both people and statisticians can count. They travel on the
registrations topic, keyed by the event, so they keep their order with the registration's own
facts (a cancellation after a plan was made arrives after it). The manager's name and e-mail
go only to the restricted participants topic.
"""

from typing import Annotated

from pydantic import AwareDatetime, Field

from samling_contracts.events import EventId, ParticipantId, RegistrationId
from samling_contracts.facts import PERSONAL, Fact, fact
from samling_contracts.topics import PARTICIPANTS_RESTRICTED, REGISTRATIONS
from samling_contracts.vocabulary import Language, MunicipalityId, TransferConversation

PlanId = Annotated[
    str, Field(description="Transfer plan id (one per registration).", examples=["trp_reg_01JD"])
]
BeforeDue = Annotated[
    AwareDatetime,
    Field(
        description="When the conversation before the event is offered (the plan's creation, "
        "once the registration is confirmed).",
        examples=["2027-01-10T09:00:00+00:00"],
    ),
]
DuringDue = Annotated[
    AwareDatetime,
    Field(
        description="When the conversation during the event is due: its midpoint.",
        examples=["2027-02-10T12:00:00+01:00"],
    ),
]
AfterDue = Annotated[
    AwareDatetime,
    Field(
        description="When the conversation after the event is due: a configured time after "
        "it ends.",
        examples=["2027-03-12T15:00:00+01:00"],
    ),
]


class _PlanFact(Fact):
    plan_id: PlanId
    registration_id: RegistrationId
    event_id: EventId
    participant_id: ParticipantId


@fact(
    "no.samling.events.transfer.plan-created.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="plan_id",
)
class TransferPlanCreated(_PlanFact):
    """A participant named their manager for a registration: three conversations are planned.
    Reminders fall due at the three times given."""

    municipality_id: MunicipalityId
    before_due_at: BeforeDue
    during_due_at: DuringDue
    after_due_at: AfterDue


@fact(
    "no.samling.events.transfer.plan-rescheduled.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="plan_id",
)
class TransferPlanRescheduled(_PlanFact):
    """The event moved, and with it the conversations during and after it; reminders move to
    the new times."""

    during_due_at: DuringDue
    after_due_at: AfterDue


@fact(
    "no.samling.events.transfer.conversation-held.v1",
    topic=REGISTRATIONS,
    key="event_id",
    subject="plan_id",
)
class TransferConversationHeld(_PlanFact):
    """The participant or the manager marked one of the three conversations held (no content:
    the notes stay confidential). Its reminders are no longer needed."""

    municipality_id: MunicipalityId
    conversation: TransferConversation = Field(
        description="Which conversation.", examples=["before"]
    )
    held_at: AwareDatetime = Field(
        description="When it was marked held.", examples=["2027-01-20T14:00:00+01:00"]
    )


@fact(
    "no.samling.events.transfer.manager-named.v1",
    topic=PARTICIPANTS_RESTRICTED,
    key="participant_id",
)
class TransferManagerNamed(Fact):
    """RESTRICTED: the manager a participant named for a transfer plan and their private link,
    so reminders can reach them. A later fact for the same plan replaces the earlier one (the
    earlier link no longer opens the plan). Never on a public topic."""

    plan_id: PlanId
    participant_id: ParticipantId
    name: str = Field(
        description="The manager's full name.", examples=["Ola Leder"], json_schema_extra=PERSONAL
    )
    email: str = Field(
        description="The manager's e-mail address.",
        examples=["ola.leder@bodo.kommune.no"],
        json_schema_extra=PERSONAL,
    )
    language: Language = Field(
        description="The participant's language, used for the manager's mails too.",
        examples=["nb"],
    )
    manager_url: str = Field(
        description="The manager's private link to the plan.",
        examples=["https://samling.no/t/eyJ..."],
    )
    event_id: str | None = Field(
        None,
        description="The event the plan is for, so the manager's mail can name it (this topic "
        "is not ordered with the registrations topic's TransferPlanCreated). Absent in facts "
        "published before it was added.",
        examples=["evt_01JD"],
    )
