"""How every service is served: uvicorn, configured from the service's settings in one place.

``make up``, the tests, the Docker image and the Kubernetes Deployments all start a service as

    python -m samling_runtime.server samling_events.main:create --host 0.0.0.0 --port 8000

so the HTTP server behaves the same everywhere. What matters under a burst:

- **Keep-alive**: an idle connection is kept ``http_keep_alive_seconds`` (75 s), longer than
  any client's or proxy's own idle timeout (httpx and uvicorn both default to 5 s; nginx and
  cloud load balancers to 60 s). With equal timeouts the server may close a connection at the
  moment the client sends its next request on it, and that request is lost without an answer
  (measured: see tests/integration/test_burst.py). The side that times out first must be the
  client, which then opens a new connection instead.
- **Overload**: requests beyond ``max_concurrent_requests`` get a 503 problem with
  ``Retry-After`` (:mod:`samling_runtime.request_limit`), never a dropped connection.
- **Backlog**: connections waiting to be accepted; the listen queue holds a burst of this many
  new connections (the kernel caps it at ``net.core.somaxconn``).
- **Garbage collection**: once a process has started (modules imported, templates and
  catalogues read, pools opened), everything it holds is moved out of the collector's reach
  (``gc.freeze``). The collector's full passes walked all of it again and again, a pause of tens
  of milliseconds each: at 50 concurrent users the web app's pages had p95 105-130 ms against
  p50 37-40 ms, and 41-45 ms after this (make bench-web). What is made later is collected
  as before.
- **Processes**: a service whose settings have ``workers`` (the web app: it keeps no state but
  short caches) is served by that many uvicorn worker processes on one socket, each building
  its own app from the factory; every other service is one process (replicas scale it).
"""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.importer import import_from_string
from uvicorn.supervisors import Multiprocess

from samling_runtime.settings import ServiceSettings

BACKLOG = 2048
WORKER_HEALTHCHECK_SECONDS = 60
FACTORY_ENV = "SAMLING_SERVER_FACTORY"
"""The service's ``module:function``, for worker processes (see :func:`settled_factory`)."""


def settled(app: FastAPI) -> FastAPI:
    """The app, freezing what its start-up made once that is done (see the module's notes)."""
    started = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Any) -> AsyncIterator[Any]:
        async with started(served) as state:
            gc.collect()
            gc.freeze()
            yield state

    app.router.lifespan_context = lifespan
    return app


def settled_factory() -> FastAPI:
    """What each worker process builds: the service's own factory's app, settled."""
    factory: Callable[[], FastAPI] = import_from_string(os.environ[FACTORY_ENV])
    return settled(factory())


def workers(settings: ServiceSettings) -> int:
    """Worker processes the service asks for (1 unless its settings say ``workers``)."""
    count = getattr(settings, "workers", 1)
    return count if isinstance(count, int) and count > 1 else 1


def server_config(
    app: FastAPI, *, host: str, port: int, proxy_headers: bool = False, factory: str | None = None
) -> uvicorn.Config:
    """``factory`` (``module:function``) with more than one worker: each worker process builds
    its own app from it (an app object cannot be handed to another process)."""
    settings: ServiceSettings = app.state.settings
    processes = workers(settings) if factory else 1
    return uvicorn.Config(
        factory if processes > 1 and factory else app,
        factory=processes > 1,
        workers=processes,
        # A worker answers the supervisor's ping from a thread, which waits while the worker
        # imports and builds its app: on a loaded 2-core machine that took longer than
        # uvicorn's 5 s, and the supervisor killed and restarted every worker in a loop.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        host=host,
        port=port,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        backlog=BACKLOG,
        access_log=False,
        proxy_headers=proxy_headers,
        # Behind a proxy (the image): trust its X-Forwarded-* from anywhere in the cluster.
        forwarded_allow_ips="*" if proxy_headers else None,
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factory", help="module:function returning the service's app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* (behind a proxy)"
    )
    args = parser.parse_args(argv)
    os.environ[FACTORY_ENV] = args.factory  # the worker processes inherit it
    config = server_config(
        settled_factory(),
        host=args.host,
        port=args.port,
        proxy_headers=args.proxy_headers,
        factory="samling_runtime.server:settled_factory",
    )
    if config.workers > 1:
        # As uvicorn.run does: the parent binds the socket and supervises the workers.
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
