"""What the page routes share: the services' APIs, the templates, the signed keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Request
from samling_runtime.clock import Clock

from samling_web.figures_feed import FiguresFeed
from samling_web.notifications_api import Notifications
from samling_web.ratelimit import TokenBucket
from samling_web.rendering import Pages
from samling_web.security import IdempotencyKeys
from samling_web.settings import WebSettings
from samling_web.upstreams import Services

# Ids and private links go into the services' URL paths: letters, digits and - _ . only.
ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
LINK_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"
SAFE_NEXT = re.compile(r"^/(?![/\\])[^\s]*$")


@dataclass(frozen=True)
class Web:
    settings: WebSettings
    services: Services
    pages: Pages
    keys: IdempotencyKeys
    clock: Clock
    notifications: Notifications
    register_limit: TokenBucket
    figures: FiguresFeed = field(default_factory=FiguresFeed)


async def _web(request: Request) -> Web:
    # async: FastAPI runs a plain function dependency in a worker thread, a thread hop per page.
    web: Web = request.app.state.web
    return web


WebDep = Annotated[Web, Depends(_web)]
IdPath = Annotated[str, Path(pattern=ID_PATTERN)]
TokenPath = Annotated[str, Path(pattern=LINK_PATTERN, max_length=2000)]


def local_path(value: str | None, fallback: str = "/") -> str:
    """A redirect target on this site only (never //elsewhere or a full URL)."""
    return value if value and SAFE_NEXT.match(value) else fallback
