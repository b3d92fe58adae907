"""The domain's shared vocabulary (see DOMAIN.md): values every service and consumer agrees on."""

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints


class Language(StrEnum):
    """Languages users read and write: bokmål, nynorsk, Swedish, Danish, English."""

    NB = "nb"
    NN = "nn"
    SV = "sv"
    DA = "da"
    EN = "en"


class Country(StrEnum):
    NO = "NO"
    SE = "SE"
    DK = "DK"


class NetworkField(StrEnum):
    """The professional field a learning network gathers around."""

    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HEALTH = "health"
    CARE = "care"
    LEADERSHIP = "leadership"
    DIGITAL_COMPETENCE = "digital_competence"
    OTHER = "other"


class PartnerKind(StrEnum):
    UNIVERSITY = "university"
    COUNTY_GOVERNOR = "county_governor"
    RESEARCH_GROUP = "research_group"
    OTHER = "other"


class LearningArena(StrEnum):
    """Seed 000's learning arenas: the first ten are internal, the last four external."""

    WORKPLACE_LEARNING = "workplace_learning"
    PEER_GUIDANCE = "peer_guidance"
    MENTORING = "mentoring"
    KNOWLEDGE_SHARING = "knowledge_sharing"
    INTERNAL_TEACHING = "internal_teaching"
    REFLECTION_GROUP = "reflection_group"
    QUALITY_SYSTEM = "quality_system"
    JOB_SHADOWING = "job_shadowing"
    ONLINE_LEARNING = "online_learning"
    APPRENTICES_AND_STUDENTS = "apprentices_and_students"
    EXTERNAL_NETWORK = "external_network"
    FORMAL_EDUCATION = "formal_education"
    COURSE_SEMINAR = "course_seminar"
    STUDY_TRIP = "study_trip"

    @property
    def is_internal(self) -> bool:
        return self not in _EXTERNAL_ARENAS


_EXTERNAL_ARENAS = frozenset(
    {
        LearningArena.EXTERNAL_NETWORK,
        LearningArena.FORMAL_EDUCATION,
        LearningArena.COURSE_SEMINAR,
        LearningArena.STUDY_TRIP,
    }
)


class CompetenceLevel(StrEnum):
    """Seed 003's three levels of competence development."""

    ORGANISATION = "organisation"
    UNIT = "unit"
    INDIVIDUAL = "individual"


class Visibility(StrEnum):
    """Who may read a report. Ordered from narrowest to widest."""

    PRIVATE = "private"
    NETWORK = "network"
    REGION = "region"
    PUBLIC = "public"

    @property
    def rank(self) -> int:
        return list(Visibility).index(self)


class ReportTemplate(StrEnum):
    PRACTICE = "practice"
    SMTTE = "smtte"
    FREE_TEXT = "free_text"


class EventKind(StrEnum):
    """Kinds of gatherings, from the learning arenas a network uses."""

    DIALOGUE_CONFERENCE = "dialogue_conference"
    NETWORK_MEETING = "network_meeting"
    THEME_DAY = "theme_day"
    COURSE_SEMINAR = "course_seminar"
    WORKSHOP = "workshop"
    STUDY_TRIP = "study_trip"
    WEBINAR = "webinar"
    OTHER = "other"


class AssignmentPhase(StrEnum):
    PRE = "pre"
    POST = "post"


class TransferConversation(StrEnum):
    """The three conversations of a transfer plan (seed 004's transfer guide)."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class Channel(StrEnum):
    EMAIL = "email"
    INBOX = "inbox"
    WEBHOOK = "webhook"


MunicipalityId = Annotated[
    str,
    StringConstraints(pattern=r"^(NO|SE|DK)-\d{3,4}$"),
    Field(
        description="Country code and official municipality number "
        "(Norwegian kommunenummer, Swedish kommunkod, Danish kommunekode).",
        examples=["NO-1804", "SE-0180", "DK-851"],
    ),
]

EmailDomain = Annotated[
    str,
    StringConstraints(
        max_length=253,
        pattern=r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    ),
    Field(
        description="An e-mail domain a municipality's staff use: a lower-case host name "
        "(internationalised names in their xn-- form).",
        examples=["bodo.kommune.no"],
    ),
]
