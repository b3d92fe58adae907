"""What the web app reads from the services' APIs: its own view of their JSON, only the
fields the pages show (a service never imports another's code; unknown fields are ignored)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Upstream(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Region(Upstream):
    id: str
    name: str


class Network(Upstream):
    id: str
    name: str
    region_id: str


class Municipality(Upstream):
    id: str
    name: str
    region_id: str


class AgendaItem(Upstream):
    title: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""


class Question(Upstream):
    """One of the event's own questions: free text, or a choice among ``options``."""

    id: str
    label: str
    required: bool = False
    options: list[str] | None = None


class Event(Upstream):
    id: str
    region_id: str
    network_id: str | None = None
    kind: str
    title: str
    description: str = ""
    venue: str | None = None
    online_url: str | None = None
    capacity: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: str
    agenda: list[AgendaItem] = []
    requires_approval: bool = False
    open_to_all: bool = False
    cancellation_deadline: datetime | None = None
    questions: list[Question] = []
    # From the events API's public additions; absent on older versions, where the pages show
    # the capacity instead (see ``seats_known``).
    seats_left: int | None = None
    waitlist: bool = False
    series_id: str | None = None

    @property
    def seats_known(self) -> bool:
        return "seats_left" in self.model_fields_set

    @property
    def open_for_registration(self) -> bool:
        return self.status == "published"

    @property
    def cancellable_until(self) -> datetime:
        return self.cancellation_deadline or self.starts_at


class EventPage(Upstream):
    items: list[Event]
    next_cursor: str | None = None


class Registration(Upstream):
    id: str
    event_id: str
    status: str
    municipality_id: str
    offer_expires_at: datetime | None = None
    arrival_seq: int = 0
    waiting_position: int | None = None


class MyRegistrations(Upstream):
    registrations: list[Registration]


class SignedInRegistrations(MyRegistrations):
    """A signed-in participant's registrations, with her private link's token."""

    manage_token: str


class InboxEntry(Upstream):
    id: str
    title: str
    body: str
    created_at: datetime
    read: bool


class Inbox(Upstream):
    items: list[InboxEntry]
    next_cursor: str | None = None


class Preferences(Upstream):
    """A mail recipient's choices, as the notifications API keeps them."""

    email: bool = True
    inbox: bool = True
    language: str | None = None
    digest: str = "immediate"
    unsubscribed: bool = False


class Report(Upstream):
    id: str
    title: str
    municipality_id: str
    region_id: str
    body: dict[str, str]
    published_at: datetime | None = None


class Announcement(Upstream):
    id: str
    title: str
    body: str
    language: str | None = None
    posted_at: datetime


class AnnouncementPage(Upstream):
    items: list[Announcement]


class Assignment(Upstream):
    id: str
    phase: str
    title: str
    description: str = ""
    due_at: datetime


class AssignmentProgress(Upstream):
    assignment: Assignment


class MyAssignment(Upstream):
    assignment: Assignment
    done: bool


class MyFollowUp(Upstream):
    assignments: list[MyAssignment] = []
    group: int | None = None
    evaluated: bool = False


class Eligibility(Upstream):
    municipality_ids: list[str]


class TransferOffer(Upstream):
    """Whether a confirmed registration's event offers a transfer plan, and the plan."""

    registration_id: str
    event_id: str
    offered: bool
    plan_id: str | None = None
    manager_name: str | None = None


class TransferField(Upstream):
    id: str
    question: str


class TransferNote(Upstream):
    id: str
    field: str
    author: str
    text: str
    at: datetime


class TransferHeld(Upstream):
    by: str
    at: datetime


class TransferSharing(Upstream):
    audience: str
    shared: bool
    consented: list[str]
    awaiting: str | None = None


class TransferConversation(Upstream):
    conversation: str
    due_at: datetime
    fields: list[TransferField]
    notes: list[TransferNote]
    held: TransferHeld | None = None
    sharing: list[TransferSharing]


class TransferPlan(Upstream):
    """A transfer plan as one of its two people sees it (``you``: whose link opened it)."""

    plan_id: str
    registration_id: str
    event_id: str
    you: str
    manager_name: str
    conversations: list[TransferConversation]
