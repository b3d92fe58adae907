"""Learning networks (seed 002): pure decisions, no I/O."""

from pydantic import BaseModel, Field
from samling_contracts.network import NetworkCreated
from samling_contracts.vocabulary import NetworkField
from samling_runtime.store import Change


class Network(BaseModel):
    id: str
    region_id: str
    name: str = Field(min_length=2, max_length=200)
    field: NetworkField
    description: str = ""
    coordinator_ids: list[str] = Field(default_factory=list)
    archived: bool = False


def create_network(
    network_id: str,
    region_id: str,
    name: str,
    field: NetworkField,
    description: str,
    coordinator_id: str,
) -> Change[Network]:
    network = Network(
        id=network_id,
        region_id=region_id,
        name=name.strip(),
        field=field,
        description=description.strip(),
        coordinator_ids=[coordinator_id],
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
