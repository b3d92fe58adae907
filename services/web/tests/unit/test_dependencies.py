"""Every page's dependencies run on the event loop: FastAPI runs a plain function dependency in
a worker thread, which cost each page a thread hop (``make bench-web``, py-spy)."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from samling_web.main import create


def _threaded(dependant: Dependant) -> list[str]:
    found = []
    for dependency in dependant.dependencies:
        call = dependency.call
        if call is not None and not inspect.iscoroutinefunction(call):
            found.append(getattr(call, "__qualname__", repr(call)))
        found += _threaded(dependency)
    return found


def _api_routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    # FastAPI keeps included routers nested (see samling_devtools.testing.served_operations).
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (router := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(router.routes)


def test_no_page_dependency_runs_in_a_worker_thread() -> None:
    routes = list(_api_routes(create().routes))
    assert routes
    threaded = {f"{r.path}: {name}" for r in routes for name in _threaded(r.dependant)}
    assert threaded == set()
