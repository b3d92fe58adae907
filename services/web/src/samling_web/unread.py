"""The unread count in the header of every page for someone signed in: one small call to the
notifications API with their own token, waited for briefly (``UNREAD_SECONDS``); without an
answer the page is made without the count."""

from __future__ import annotations

from fastapi import Request

from samling_web.deps import Web
from samling_web.signin_state import current_user


async def unread_in_header(request: Request) -> None:
    """A dependency of the page routes: what the header shows is in ``request.state.unread``."""
    if request.method != "GET":
        return
    user = current_user(request)
    if user is None:
        return
    web: Web = request.app.state.web
    request.state.unread = await web.notifications.unread(user.bearer())
