"""Where a service's typed parts wait until its start-up has built them.

Routes and fact handlers are attached before the lifespan runs, so they hold this and ask for
the parts per request or fact; asking before start-up is a programming error, said plainly.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class Started(Generic[T]):
    def __init__(self, service: str) -> None:
        self._service = service
        self._built: T | None = None

    def set(self, built: T) -> None:
        self._built = built

    def get(self) -> T:
        if self._built is None:
            raise RuntimeError(f"the {self._service} service has not started")
        return self._built
