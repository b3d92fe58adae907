"""The base of every request body and command: unknown fields are refused.

Apart from ``samling_runtime.inputs`` (which needs FastAPI for query parameters) so that domain
packages can declare their commands without importing a web framework.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    """A request body that refuses unknown fields, so a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")
