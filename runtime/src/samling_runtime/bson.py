"""Pydantic models to and from BSON-friendly documents."""

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from pydantic import BaseModel


def to_document(value: Any) -> Any:
    """Plain BSON values: keep datetimes native (sortable, range-queryable), dates as ISO text."""
    if isinstance(value, BaseModel):
        return to_document(value.model_dump(mode="python"))
    if isinstance(value, dict):
        return {str(k): to_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_document(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value
