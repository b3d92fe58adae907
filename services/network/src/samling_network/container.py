"""The network service's parts, built once in :mod:`samling_network.main` and handed to
routes typed, through one ``Annotated`` dependency (``StoresDep``), never by string key."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from samling_runtime.service import Runtime

from samling_network.adapters.store.stores import Stores
from samling_network.settings import NetworkSettings


@dataclass(frozen=True)
class NetworkService:
    runtime: Runtime
    settings: NetworkSettings
    stores: Stores


class Started:
    """Where the parts wait until the service has started (routes ask for them per request)."""

    def __init__(self) -> None:
        self._built: NetworkService | None = None

    def set(self, built: NetworkService) -> None:
        self._built = built

    def get(self) -> NetworkService:
        if self._built is None:
            raise RuntimeError("the network service has not started")
        return self._built


def started_in(app: FastAPI) -> Started:
    """The parts of the app :func:`samling_network.main.create` made."""
    started: Started = app.state.network
    return started
