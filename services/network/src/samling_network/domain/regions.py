"""Regions: a regional office (e.g. RKK Salten) that coordinates municipalities and networks."""

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from samling_kernel.decisions import Change


def check_region_id(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", value):
        raise PydanticCustomError(
            "region_id",
            "'{value}' is not a region id: use 2 to 63 lower-case letters, digits and dashes, "
            "e.g. rkk-salten.",
            {"value": value},
        )
    return value


RegionId = Annotated[
    str,
    AfterValidator(check_region_id),
    Field(description="Lower-case letters, digits and dashes.", examples=["rkk-salten"]),
]


class Region(BaseModel):
    id: RegionId
    name: str = Field(min_length=2, max_length=200, examples=["RKK Salten"])
    created_at: datetime


def register(region_id: str, name: str, now: datetime) -> Change[Region]:
    """Registering a region publishes no fact (the contracts have none for regions; facts
    carry the region's id)."""
    return Change(Region(id=region_id, name=name.strip(), created_at=now))
