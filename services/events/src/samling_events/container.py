"""The events service's parts, built once in :mod:`samling_events.main` and handed to routes
typed, through ``StoresDep``/``DesksDep``, never by string key."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from samling_runtime.service import Runtime
from samling_runtime.started import Started

from samling_events.adapters.store.stores import Stores
from samling_events.adapters.store.sweeper import Sweeper
from samling_events.desk import Desks
from samling_events.settings import EventsSettings


@dataclass(frozen=True)
class EventsService:
    runtime: Runtime
    settings: EventsSettings
    stores: Stores
    desks: Desks
    """One registration desk per event: the only writer of its seats."""
    sweeper: Sweeper
    """Expired offers, ended events, anonymisation: ``run_once()`` moves them on."""


def started_in(app: FastAPI) -> Started[EventsService]:
    """The parts of the app :func:`samling_events.main.create` made."""
    started: Started[EventsService] = app.state.events
    return started
