"""Facts published by the network service."""

from datetime import date
from typing import Annotated

from pydantic import Field

from samling_contracts.facts import PERSONAL, Fact, Part, fact
from samling_contracts.topics import CONTACTS_RESTRICTED, MUNICIPALITIES, NETWORKS, REPORTS
from samling_contracts.vocabulary import (
    CompetenceLevel,
    Country,
    EmailDomain,
    Language,
    LearningArena,
    MunicipalityId,
    NetworkField,
    PartnerKind,
    ReportTemplate,
    Visibility,
)

NetworkId = Annotated[str, Field(description="Network id.", examples=["net_01JD2X8M4Q"])]
RegionId = Annotated[str, Field(description="Region id.", examples=["rkk-salten"])]
ReportId = Annotated[str, Field(description="Report id.", examples=["rep_01JD2X9A7K"])]
UserId = Annotated[
    str, Field(description="Subject (user id) from the identity provider.", examples=["u-4711"])
]


@fact("no.samling.network.network.created.v1", topic=NETWORKS, key="network_id")
class NetworkCreated(Fact):
    network_id: NetworkId
    region_id: RegionId
    name: str = Field(description="Network name.", examples=["Skoleledernettverket i Salten"])
    field: NetworkField = Field(description="Professional field.", examples=["school"])
    description: str = Field(
        "", description="What the network works on.", examples=["Ledelse av lærende skoler."]
    )
    coordinator_ids: list[str] = Field(
        default_factory=list, description="Coordinators (user ids).", examples=[["u-4711"]]
    )


@fact("no.samling.network.network.updated.v1", topic=NETWORKS, key="network_id")
class NetworkUpdated(Fact):
    network_id: NetworkId
    name: str = Field(description="Network name.", examples=["Helse- og omsorgsnettverket"])
    field: NetworkField = Field(description="Professional field.", examples=["health"])
    description: str = Field("", description="What the network works on.", examples=[""])


@fact("no.samling.network.network.archived.v1", topic=NETWORKS, key="network_id")
class NetworkArchived(Fact):
    network_id: NetworkId


@fact("no.samling.network.membership.joined.v1", topic=NETWORKS, key="network_id")
class MunicipalityJoinedNetwork(Fact):
    network_id: NetworkId
    municipality_id: MunicipalityId
    membership_id: str = Field(description="Membership id.", examples=["mem_01JD2XB1"])
    starts_on: date = Field(description="First day of membership.", examples=["2026-01-01"])


@fact("no.samling.network.membership.left.v1", topic=NETWORKS, key="network_id")
class MunicipalityLeftNetwork(Fact):
    network_id: NetworkId
    municipality_id: MunicipalityId
    membership_id: str = Field(description="Membership id.", examples=["mem_01JD2XB1"])
    ends_on: date = Field(description="Last day of membership.", examples=["2026-12-31"])


@fact("no.samling.network.coordinator.assigned.v1", topic=NETWORKS, key="network_id")
class CoordinatorAssigned(Fact):
    network_id: NetworkId
    coordinator_id: UserId


@fact("no.samling.network.partner.invited.v1", topic=NETWORKS, key="network_id")
class PartnerInvited(Fact):
    network_id: NetworkId
    partner_id: str = Field(description="Partner id.", examples=["par_nord-universitet"])
    organisation: str = Field(
        description="Partner organisation (not a person).", examples=["Nord universitet"]
    )
    kind: PartnerKind = Field(description="Kind of partner.", examples=["university"])


@fact("no.samling.network.announcement.posted.v1", topic=NETWORKS, key="network_id")
class AnnouncementPosted(Fact):
    network_id: NetworkId
    announcement_id: str = Field(description="Announcement id.", examples=["ann_01JD2XC3"])
    title: str = Field(description="Headline.", examples=["Ny runde med kompetansemidler"])
    body: str = Field(
        description="Announcement text (no personal data).", examples=["Søk innen 1. mars."]
    )
    language: Language = Field(description="Language the text is written in.", examples=["nb"])


@fact("no.samling.network.municipality.registered.v1", topic=MUNICIPALITIES, key="municipality_id")
class MunicipalityRegistered(Fact):
    municipality_id: MunicipalityId
    region_id: RegionId
    number: str = Field(description="Official municipality number.", examples=["1804"])
    name: str = Field(description="Municipality name.", examples=["Bodø"])
    country: Country = Field(description="Country.", examples=["NO"])


@fact(
    "no.samling.network.municipality.email-domains-changed.v1",
    topic=MUNICIPALITIES,
    key="municipality_id",
)
class MunicipalityEmailDomainsChanged(Fact):
    """The full current list of a municipality's e-mail domains (a snapshot, not a delta).

    Someone registering for an event without an account, with an address in one of these
    domains, may take the municipality's member seat or contingent without its approval."""

    municipality_id: MunicipalityId
    email_domains: list[EmailDomain] = Field(
        description="All current e-mail domains of the municipality's staff; empty when none.",
        examples=[["bodo.kommune.no"]],
    )


class ContactPerson(Part):
    """A municipality's contact person. Personal data: restricted topic only."""

    contact_id: str = Field(description="Contact person id.", examples=["con_01JD2XD4"])
    name: str = Field(description="Full name.", examples=["Åse Ørnes"], json_schema_extra=PERSONAL)
    email: str = Field(
        description="E-mail address.",
        examples=["ase.ornes@bodo.kommune.no"],
        json_schema_extra=PERSONAL,
    )
    language: Language = Field(description="Preferred language.", examples=["nb"])
    role: str | None = Field(
        None,
        description="What they do for the municipality (free text), if given.",
        examples=["Kommunalsjef oppvekst"],
    )


@fact(
    "no.samling.network.contacts.changed.v1",
    topic=CONTACTS_RESTRICTED,
    key="municipality_id",
)
class ContactPersonsChanged(Fact):
    """The full current list of a municipality's contact persons (a snapshot, not a delta)."""

    municipality_id: MunicipalityId
    contacts: list[ContactPerson] = Field(
        description="All current contact persons.",
        examples=[
            [
                {
                    "contact_id": "con_1",
                    "name": "Åse Ørnes",
                    "email": "ase@bodo.kommune.no",
                    "language": "nb",
                }
            ]
        ],
    )


class ReportTags(Part):
    learning_arenas: list[LearningArena] = Field(
        default_factory=list, description="Learning arenas.", examples=[["reflection_group"]]
    )
    level: CompetenceLevel | None = Field(None, description="Competence level.", examples=["unit"])
    language: Language = Field(description="Language of the report.", examples=["nn"])


@fact("no.samling.network.report.published.v1", topic=REPORTS, key="report_id")
class ReportPublished(Fact):
    report_id: ReportId
    municipality_id: MunicipalityId
    region_id: RegionId
    network_ids: list[str] = Field(
        default_factory=list,
        description="Networks the report is shared with.",
        examples=[["net_1"]],
    )
    visibility: Visibility = Field(description="Who may read it.", examples=["network"])
    template: ReportTemplate = Field(description="Template used.", examples=["smtte"])
    title: str | None = Field(
        None, description="Title; omitted when the report is private.", examples=["Lesevenner"]
    )
    tags: ReportTags = Field(description="Tags for finding and subscribing.")
    revision: int = Field(1, description="Revision number.", examples=[1])


@fact("no.samling.network.report.revised.v1", topic=REPORTS, key="report_id")
class ReportRevised(Fact):
    report_id: ReportId
    municipality_id: MunicipalityId
    region_id: RegionId
    network_ids: list[str] = Field(
        default_factory=list,
        description="Networks the report is shared with.",
        examples=[["net_1"]],
    )
    visibility: Visibility = Field(description="Who may read it.", examples=["region"])
    title: str | None = Field(
        None, description="Title; omitted when the report is private.", examples=["Lesevenner"]
    )
    tags: ReportTags = Field(description="Tags for finding and subscribing.")
    revision: int = Field(description="Revision number after the edit.", examples=[2])


@fact("no.samling.network.report.withdrawn.v1", topic=REPORTS, key="report_id")
class ReportWithdrawn(Fact):
    report_id: ReportId
    municipality_id: MunicipalityId
