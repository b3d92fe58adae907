"""Announcements a coordinator posts to a network (the "information broker" role, seed 002)."""

from datetime import datetime

from pydantic import BaseModel, Field
from samling_contracts.network import AnnouncementPosted
from samling_contracts.vocabulary import Language
from samling_kernel.decisions import Change

from samling_network.domain.networks import Network, require_open


class Announcement(BaseModel):
    id: str = Field(examples=["ann_0m3xk2a1b9f3c2d1e0"])
    network_id: str
    region_id: str
    title: str = Field(examples=["Ny runde med kompetansemidler"])
    body: str = Field(examples=["Søk innen 1. mars."])
    language: Language = Field(examples=["nb"])
    posted_by: str
    posted_at: datetime


def post(
    announcement_id: str,
    network: Network,
    title: str,
    body: str,
    language: Language,
    posted_by: str,
    now: datetime,
) -> Change[Announcement]:
    require_open(network)
    announcement = Announcement(
        id=announcement_id,
        network_id=network.id,
        region_id=network.region_id,
        title=title.strip(),
        body=body.strip(),
        language=language,
        posted_by=posted_by,
        posted_at=now,
    )
    return Change(
        announcement,
        [
            AnnouncementPosted(
                network_id=network.id,
                announcement_id=announcement.id,
                title=announcement.title,
                body=announcement.body,
                language=language,
            )
        ],
    )
