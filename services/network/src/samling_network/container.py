"""The network service's parts, built once in :mod:`samling_network.main` and handed to
routes typed, through one ``Annotated`` dependency (``StoresDep``), never by string key."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from samling_runtime.service import Runtime
from samling_runtime.started import Started

from samling_network.adapters.store.stores import Stores
from samling_network.settings import NetworkSettings


@dataclass(frozen=True)
class NetworkService:
    runtime: Runtime
    settings: NetworkSettings
    stores: Stores


def started_in(app: FastAPI) -> Started[NetworkService]:
    """The parts of the app :func:`samling_network.main.create` made."""
    started: Started[NetworkService] = app.state.network
    return started
