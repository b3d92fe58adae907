"""Regions: a regional office (e.g. RKK Salten) that coordinates municipalities and networks."""

from datetime import datetime

from pydantic import BaseModel, Field


class Region(BaseModel):
    id: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{1,62}$",
        description="Region id: lower-case letters, digits and dashes.",
        examples=["rkk-salten"],
    )
    name: str = Field(min_length=2, max_length=200, examples=["RKK Salten"])
    created_at: datetime
