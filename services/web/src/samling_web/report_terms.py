"""Names for the network service's report codes (templates, learning arenas, levels,
visibility, status) as gettext message ids, and the report models the pages read.

The codes belong to ``samling_contracts.vocabulary``; the web app names them for people.
Seed 000's catalogue splits the learning arenas into internal and external ones, and the
library and the form show them in those two groups.
"""

from __future__ import annotations

from datetime import datetime

from samling_contracts.vocabulary import LearningArena

from samling_web.i18n import N_
from samling_web.models import Upstream

TEMPLATES = {
    "practice": N_("Practice write-up"),
    "smtte": N_("SMTTE"),
    "free_text": N_("Free text"),
}
# Each template's sections in the order the author writes them (the API's field names).
TEMPLATE_FIELDS = {
    "practice": (
        "decision",
        "organisation",
        "goal_purpose_effect",
        "anchoring",
        "description",
        "spreading",
        "follow_up",
        "experience",
    ),
    "smtte": ("context", "goals", "signs", "actions", "evaluation"),
    "free_text": ("text",),
}
ARENAS = {
    "workplace_learning": N_("Learning at work"),
    "peer_guidance": N_("Peer guidance"),
    "mentoring": N_("Mentoring"),
    "knowledge_sharing": N_("Knowledge sharing"),
    "internal_teaching": N_("Internal teaching"),
    "reflection_group": N_("Reflection group"),
    "quality_system": N_("Quality system"),
    "job_shadowing": N_("Job shadowing"),
    "online_learning": N_("Online learning"),
    "apprentices_and_students": N_("Apprentices and students"),
    "external_network": N_("External network"),
    "formal_education": N_("Formal education"),
    "course_seminar": N_("Course or seminar"),
    "study_trip": N_("Study trip"),
}
INTERNAL_ARENAS = tuple(a.value for a in LearningArena if a.is_internal)
EXTERNAL_ARENAS = tuple(a.value for a in LearningArena if not a.is_internal)
LEVELS = {
    "organisation": N_("Organisation"),
    "unit": N_("Unit"),
    "individual": N_("Individual"),
}
VISIBILITIES = {
    "private": N_("Only my municipality"),
    "network": N_("The networks chosen"),
    "region": N_("Everyone in the region"),
    "public": N_("Everyone, also without signing in"),
}
STATUSES = {
    "draft": N_("Draft"),
    "published": N_("Published"),
    "withdrawn": N_("Withdrawn"),
}


class Tags(Upstream):
    learning_arenas: list[str] = []
    level: str | None = None
    language: str


class ReportView(Upstream):
    """A report as the network API shows it to this reader."""

    id: str
    title: str
    municipality_id: str
    region_id: str
    body: dict[str, str]
    tags: Tags
    network_ids: list[str] = []
    visibility: str = "private"
    status: str = "draft"
    revision: int = 0
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def template(self) -> str:
        return self.body.get("template", "free_text")


class ReportList(Upstream):
    items: list[ReportView]
    next_cursor: str | None = None


class Revision(Upstream):
    revision: int
    recorded_at: datetime
    title: str


class SmtteDraft(Upstream):
    context: list[str] = []
    goals: list[str] = []
    signs: list[str] = []
    actions: list[str] = []
    evaluation: list[str] = []


class TransferDraft(Upstream):
    """A transfer conversation both people agreed to share as a report draft (issue #17)."""

    plan_id: str
    event_id: str
    conversation: str
    draft: SmtteDraft
