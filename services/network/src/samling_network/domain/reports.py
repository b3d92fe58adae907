"""Experience reports (practice stories): templates, tags, visibility and lifecycle.

draft -> published -> withdrawn. Edits of a published report make a new revision (the
aggregate's revision log keeps every one). Visibility may be widened only by the author
municipality; seed 004 is explicit that notes are confidential unless both parties agreed.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from samling_contracts.network import ReportPublished, ReportRevised, ReportTags, ReportWithdrawn
from samling_contracts.vocabulary import ReportTemplate, Visibility
from samling_kernel.decisions import Change
from samling_kernel.text import MultiLine

from samling_network.domain.errors import Conflict, Forbidden, Rejected

Text = Annotated[MultiLine, Field(max_length=20_000)]


class PracticeWriteUp(BaseModel):
    """Seed 003's template for documenting a neighbour municipality's practice."""

    template: Literal[ReportTemplate.PRACTICE] = ReportTemplate.PRACTICE
    decision: Text = Field("", description="What was decided, by whom.")
    organisation: Text = Field("", description="How the work is organised.")
    goal_purpose_effect: Text = Field("", description="Goal, purpose and intended effect.")
    anchoring: Text = Field("", description="Anchoring in the chain of command.")
    description: Text = Field("", description="What the practice is.")
    spreading: Text = Field("", description="How it was spread to other units.")
    follow_up: Text = Field("", description="How it is kept alive and followed up.")
    experience: Text = Field("", description="What was learned.")


class Smtte(BaseModel):
    """Seed 004's SMTTE model: context, goals, signs, actions, evaluation."""

    template: Literal[ReportTemplate.SMTTE] = ReportTemplate.SMTTE
    context: Text = Field("", description="Sammenhæng: the situation the work starts from.")
    goals: Text = Field("", description="Mål: what should be achieved.")
    signs: Text = Field("", description="Tegn: how progress is seen and heard.")
    actions: Text = Field("", description="Tiltag: what is done.")
    evaluation: Text = Field("", description="Evaluering: what came of it.")


class FreeText(BaseModel):
    template: Literal[ReportTemplate.FREE_TEXT] = ReportTemplate.FREE_TEXT
    text: Text = Field(description="The story in your own words.")


ReportBody = Annotated[PracticeWriteUp | Smtte | FreeText, Field(discriminator="template")]


class ReportStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class ReportView(BaseModel):
    """A report as readers see it."""

    id: str = Field(examples=["rep_0m3xk2a1b9f3c2d1e0"])
    municipality_id: str = Field(description="The author municipality.", examples=["NO-1804"])
    region_id: str = Field(examples=["rkk-salten"])
    author_id: str = Field(description="Who wrote it (user id).", examples=["u-admin-bodo"])
    title: str = Field(examples=["Lesevenner på tvers av trinn"])
    body: ReportBody
    tags: ReportTags
    network_ids: list[str] = Field(default_factory=list)
    visibility: Visibility = Visibility.PRIVATE
    status: ReportStatus = ReportStatus.DRAFT
    revision: int = Field(
        0, description="0 while a draft; 1 when published; one more for every edit after."
    )
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    withdrawn_at: datetime | None = None


class Report(ReportView):
    """The stored report: the view plus what the store needs to search it."""

    text: str = Field("", description="Title and body as one text, for free-text search.")


def searchable_text(title: str, body: PracticeWriteUp | Smtte | FreeText) -> str:
    parts = [title, *(v for k, v in body.model_dump().items() if k != "template")]
    return "\n".join(p for p in parts if p)


def check_sharing(visibility: Visibility, network_ids: list[str]) -> None:
    if visibility is Visibility.NETWORK and not network_ids:
        raise Rejected("A report shared with networks needs at least one network in network_ids.")


def draft(
    report_id: str,
    municipality_id: str,
    region_id: str,
    author_id: str,
    title: str,
    body: PracticeWriteUp | Smtte | FreeText,
    tags: ReportTags,
    network_ids: list[str],
    visibility: Visibility,
    now: datetime,
) -> Change[Report]:
    check_sharing(visibility, network_ids)
    report = Report(
        id=report_id,
        municipality_id=municipality_id,
        region_id=region_id,
        author_id=author_id,
        title=title.strip(),
        body=body,
        tags=tags,
        network_ids=sorted(set(network_ids)),
        visibility=visibility,
        created_at=now,
        updated_at=now,
        text=searchable_text(title.strip(), body),
    )
    return Change(report)


def _title_for(report: Report) -> str | None:
    return None if report.visibility is Visibility.PRIVATE else report.title


def publish(report: Report, now: datetime) -> Change[Report] | None:
    if report.status is ReportStatus.PUBLISHED:
        return None
    if report.status is ReportStatus.WITHDRAWN:
        raise Conflict("A withdrawn report cannot be published again; write a new one.")
    published = report.model_copy(
        update={
            "status": ReportStatus.PUBLISHED,
            "revision": 1,
            "published_at": now,
            "updated_at": now,
        }
    )
    return Change(
        published,
        [
            ReportPublished(
                report_id=report.id,
                municipality_id=report.municipality_id,
                region_id=report.region_id,
                network_ids=report.network_ids,
                visibility=report.visibility,
                template=report.body.template,
                title=_title_for(report),
                tags=report.tags,
                revision=1,
            )
        ],
    )


class Edit(BaseModel):
    """What an edit may change; fields left out stay as they are."""

    title: str | None = None
    body: PracticeWriteUp | Smtte | FreeText | None = None
    tags: ReportTags | None = None
    network_ids: list[str] | None = None
    visibility: Visibility | None = None


def edit(report: Report, change: Edit, *, by_author: bool, now: datetime) -> Change[Report] | None:
    """Apply an edit. Only the author municipality may change content or widen visibility;
    a coordinator of the region may only narrow it (e.g. after a complaint)."""
    if report.status is ReportStatus.WITHDRAWN:
        raise Conflict("This report has been withdrawn; it can no longer be edited.")
    visibility = report.visibility if change.visibility is None else change.visibility
    if not by_author:
        touches_content = any(
            v is not None for v in (change.title, change.body, change.tags, change.network_ids)
        )
        if touches_content:
            raise Forbidden("Only the author municipality can edit a report's content.")
        if visibility.rank > report.visibility.rank:
            raise Forbidden("Only the author municipality can widen who may read a report.")
    title = report.title if change.title is None else change.title.strip()
    body = report.body if change.body is None else change.body
    network_ids = (
        report.network_ids if change.network_ids is None else sorted(set(change.network_ids))
    )
    check_sharing(visibility, network_ids)
    changed = report.model_copy(
        update={
            "title": title,
            "body": body,
            "tags": report.tags if change.tags is None else change.tags,
            "network_ids": network_ids,
            "visibility": visibility,
            "text": searchable_text(title, body),
        }
    )
    if changed == report:
        return None
    if report.status is ReportStatus.DRAFT:
        return Change(changed.model_copy(update={"updated_at": now}))
    revised = changed.model_copy(update={"revision": report.revision + 1, "updated_at": now})
    return Change(
        revised,
        [
            ReportRevised(
                report_id=revised.id,
                municipality_id=revised.municipality_id,
                region_id=revised.region_id,
                network_ids=revised.network_ids,
                visibility=revised.visibility,
                title=_title_for(revised),
                tags=revised.tags,
                revision=revised.revision,
            )
        ],
    )


def withdraw(report: Report, now: datetime) -> Change[Report] | None:
    if report.status is ReportStatus.WITHDRAWN:
        return None
    if report.status is ReportStatus.DRAFT:
        raise Conflict("A draft has not been published, so there is nothing to withdraw.")
    withdrawn = report.model_copy(
        update={"status": ReportStatus.WITHDRAWN, "withdrawn_at": now, "updated_at": now}
    )
    return Change(
        withdrawn,
        [ReportWithdrawn(report_id=report.id, municipality_id=report.municipality_id)],
    )


def published_revisions(states: list[Report]) -> list[Report]:
    """One entry per published revision number (the last state recorded under it)."""
    by_number: dict[int, Report] = {}
    for state in states:
        if state.status is ReportStatus.PUBLISHED:
            by_number[state.revision] = state
    return [by_number[n] for n in sorted(by_number)]


def revision_log(history: list[tuple[Report, datetime]]) -> list[tuple[Report, datetime]]:
    """Each published revision with the time it was first recorded: a revision's later
    records (a withdrawal keeps the number) do not move its date."""
    first_recorded: dict[int, datetime] = {}
    for state, recorded_at in history:
        first_recorded.setdefault(state.revision, recorded_at)
    states = published_revisions([state for state, _ in history])
    return [(state, first_recorded[state.revision]) for state in states]
