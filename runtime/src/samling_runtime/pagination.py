"""Cursor pagination: opaque cursors over a (sort key, _id) pair, stable under inserts."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from samling_runtime.problems import Problem

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T] = Field(description="This page's items.")
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; absent on the last page."
    )


def encode_cursor(sort_value: Any, last_id: str) -> str:
    value = {"t": sort_value.isoformat()} if isinstance(sort_value, datetime) else {"v": sort_value}
    raw = json.dumps({**value, "id": last_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = datetime.fromisoformat(raw["t"]) if "t" in raw else raw["v"]
        # The value goes into a query filter: a caller-made object there would be an operator
        # ({"$where": ...}) and a list a different comparison, so only plain values pass.
        if not isinstance(value, datetime | str | int | float) or isinstance(value, bool):
            raise TypeError(f"a cursor holds a plain value, not {type(value).__name__}")
        return value, str(raw["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise Problem(
            400, "The cursor is not valid; start again without it.", kind="bad-cursor"
        ) from exc


def after_cursor(
    sort_field: str, cursor: str | None, *, descending: bool = False
) -> dict[str, Any]:
    """A filter selecting what comes after the cursor in (sort_field, _id) order."""
    if not cursor:
        return {}
    value, last_id = decode_cursor(cursor)
    op = "$lt" if descending else "$gt"
    return {"$or": [{sort_field: {op: value}}, {sort_field: value, "_id": {op: last_id}}]}
