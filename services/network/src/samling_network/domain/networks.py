"""Learning networks (seed 002): pure decisions, no I/O."""

import re
import unicodedata
from datetime import datetime

from pydantic import BaseModel, Field
from samling_contracts.network import (
    CoordinatorAssigned,
    NetworkArchived,
    NetworkCreated,
    NetworkUpdated,
    PartnerInvited,
)
from samling_contracts.vocabulary import NetworkField, PartnerKind
from samling_kernel.decisions import Change

from samling_network.domain.errors import Conflict


class Partner(BaseModel):
    """An organisation invited into a network without being a member (university, county
    governor, research group)."""

    partner_id: str = Field(examples=["par_nord-universitet"])
    organisation: str = Field(examples=["Nord universitet"])
    kind: PartnerKind = Field(examples=["university"])
    invited_at: datetime


class Network(BaseModel):
    id: str = Field(examples=["net_0m3xk2a1b9f3c2d1e0"])
    region_id: str = Field(examples=["rkk-salten"])
    name: str = Field(min_length=2, max_length=200, examples=["Skoleledernettverket i Salten"])
    field: NetworkField = Field(examples=["school"])
    description: str = Field("", examples=["Ledelse av lærende skoler."])
    coordinator_ids: list[str] = Field(default_factory=list, examples=[["u-coordinator-salten"]])
    partners: list[Partner] = Field(default_factory=list)
    archived: bool = False
    created_at: datetime | None = None


def create_network(
    network_id: str,
    region_id: str,
    name: str,
    field: NetworkField,
    description: str,
    coordinator_id: str,
    now: datetime | None = None,
) -> Change[Network]:
    network = Network(
        id=network_id,
        region_id=region_id,
        name=name.strip(),
        field=field,
        description=description.strip(),
        coordinator_ids=[coordinator_id],
        created_at=now,
    )
    return Change(
        network,
        [
            NetworkCreated(
                network_id=network.id,
                region_id=network.region_id,
                name=network.name,
                field=network.field,
                description=network.description,
                coordinator_ids=network.coordinator_ids,
            )
        ],
    )


def require_open(network: Network) -> None:
    if network.archived:
        raise Conflict(f"The network '{network.name}' is archived; it can no longer change.")


def update_network(
    network: Network,
    name: str | None = None,
    field: NetworkField | None = None,
    description: str | None = None,
) -> Change[Network] | None:
    require_open(network)
    changed = network.model_copy(
        update={
            "name": network.name if name is None else name.strip(),
            "field": network.field if field is None else field,
            "description": network.description if description is None else description.strip(),
        }
    )
    if changed == network:
        return None
    return Change(
        changed,
        [
            NetworkUpdated(
                network_id=changed.id,
                name=changed.name,
                field=changed.field,
                description=changed.description,
            )
        ],
    )


def archive_network(network: Network) -> Change[Network] | None:
    if network.archived:
        return None
    return Change(
        network.model_copy(update={"archived": True}), [NetworkArchived(network_id=network.id)]
    )


def assign_coordinator(network: Network, coordinator_id: str) -> Change[Network] | None:
    require_open(network)
    if coordinator_id in network.coordinator_ids:
        return None
    changed = network.model_copy(
        update={"coordinator_ids": [*network.coordinator_ids, coordinator_id]}
    )
    return Change(
        changed, [CoordinatorAssigned(network_id=network.id, coordinator_id=coordinator_id)]
    )


def partner_id(organisation: str) -> str:
    """A readable id from the organisation's name: ``Nord universitet`` -> ``par_nord-universitet``."""
    ascii_name = (
        unicodedata.normalize("NFKD", organisation.replace("ø", "o").replace("Ø", "O"))
        .replace("æ", "ae")
        .encode("ascii", "ignore")
        .decode()
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return f"par_{slug or 'partner'}"


def invite_partner(
    network: Network, organisation: str, kind: PartnerKind, now: datetime
) -> Change[Network]:
    require_open(network)
    partner = Partner(
        partner_id=partner_id(organisation),
        organisation=organisation.strip(),
        kind=kind,
        invited_at=now,
    )
    if any(p.partner_id == partner.partner_id for p in network.partners):
        raise Conflict(f"{partner.organisation} is already invited to '{network.name}'.")
    changed = network.model_copy(update={"partners": [*network.partners, partner]})
    return Change(
        changed,
        [
            PartnerInvited(
                network_id=network.id,
                partner_id=partner.partner_id,
                organisation=partner.organisation,
                kind=kind,
            )
        ],
    )
