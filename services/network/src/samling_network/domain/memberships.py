"""Memberships of municipalities in networks: one document per membership, history kept.

A membership's id is ``mem_<network>_<municipality>_<n>`` where ``n`` counts the
municipality's memberships of that network. Joining creates number ``n + 1`` of the latest;
two concurrent joins of the same municipality both try to create the same id, and the unique
revision id lets exactly one win, so a municipality has at most one active membership per
network without a shared document. Different municipalities create different documents, so
they never contend.
"""

from datetime import date

from pydantic import BaseModel, Field
from samling_contracts.network import MunicipalityJoinedNetwork, MunicipalityLeftNetwork
from samling_kernel.decisions import Change

from samling_network.domain.errors import Conflict, Rejected
from samling_network.domain.networks import Network


class Membership(BaseModel):
    id: str = Field(examples=["mem_net_0m3xk2a1b9f3c2d1e0_NO-1804_1"])
    network_id: str
    municipality_id: str = Field(examples=["NO-1804"])
    region_id: str = Field(examples=["rkk-salten"])
    sequence: int = Field(
        description="1 for the first membership of this pair, 2 after a leave and rejoin, ...",
        examples=[1],
    )
    starts_on: date = Field(examples=["2026-01-01"])
    ends_on: date | None = Field(None, examples=[None])
    active: bool = Field(True, description="False once the municipality has left.")


def membership_id(network_id: str, municipality_id: str, sequence: int) -> str:
    return f"mem_{network_id}_{municipality_id}_{sequence}"


def require_joinable(network: Network) -> None:
    """An archived network takes no new members (its past memberships stay)."""
    if network.archived:
        raise Conflict(f"The network '{network.name}' is archived; nobody can join it.")


def join(
    network_id: str,
    municipality_id: str,
    region_id: str,
    latest: Membership | None,
    starts_on: date,
) -> Change[Membership]:
    if latest is not None and latest.active:
        raise Conflict(f"{municipality_id} is already a member of this network.")
    if latest is not None and latest.ends_on is not None and starts_on <= latest.ends_on:
        raise Rejected(
            f"The new membership must start after the previous one ended ({latest.ends_on})."
        )
    sequence = 1 if latest is None else latest.sequence + 1
    membership = Membership(
        id=membership_id(network_id, municipality_id, sequence),
        network_id=network_id,
        municipality_id=municipality_id,
        region_id=region_id,
        sequence=sequence,
        starts_on=starts_on,
    )
    return Change(
        membership,
        [
            MunicipalityJoinedNetwork(
                network_id=network_id,
                municipality_id=municipality_id,
                membership_id=membership.id,
                starts_on=starts_on,
            )
        ],
    )


def leave(membership: Membership, ends_on: date) -> Change[Membership]:
    if not membership.active:
        raise Conflict(
            f"{membership.municipality_id} already left this network on {membership.ends_on}."
        )
    if ends_on < membership.starts_on:
        raise Rejected(
            f"The last day ({ends_on}) cannot be before the first day ({membership.starts_on})."
        )
    ended = membership.model_copy(update={"ends_on": ends_on, "active": False})
    return Change(
        ended,
        [
            MunicipalityLeftNetwork(
                network_id=membership.network_id,
                municipality_id=membership.municipality_id,
                membership_id=membership.id,
                ends_on=ends_on,
            )
        ],
    )
