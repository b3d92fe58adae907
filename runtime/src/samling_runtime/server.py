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
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import uvicorn
from fastapi import FastAPI
from uvicorn.importer import import_from_string

from samling_runtime.settings import ServiceSettings

BACKLOG = 2048


def server_config(
    app: FastAPI, *, host: str, port: int, proxy_headers: bool = False
) -> uvicorn.Config:
    settings: ServiceSettings = app.state.settings
    return uvicorn.Config(
        app,
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
    factory: Callable[[], FastAPI] = import_from_string(args.factory)
    config = server_config(
        factory(), host=args.host, port=args.port, proxy_headers=args.proxy_headers
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
