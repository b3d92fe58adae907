"""Jinja2 templates in the reader's language: one template per page, small includes.

Every text in a template goes through gettext (``{{ _("...") }}``); the translation used is
the one in the render context, so concurrent requests in different languages never share one.
"""

from __future__ import annotations

from datetime import date, datetime
from gettext import GNUTranslations
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from samling_web import formatting
from samling_web.assets import Assets
from samling_web.i18n import ENDONYMS, LANGUAGE_COOKIE, LANGUAGES, Catalogues, choose_language
from samling_web.security import CSRF_FIELD, csrf_token
from samling_web.signin_state import current_user, menu


@pass_context
def _gettext(context: Context, message: str) -> str:
    translations: GNUTranslations = context["translations"]
    return translations.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    translations: GNUTranslations = context["translations"]
    return translations.ngettext(singular, plural, n)


@pass_context
def _span(context: Context, event: Any) -> str:
    return formatting.event_span(event.starts_at, event.ends_at, event.timezone, context["lang"])


@pass_context
def _moment(context: Context, value: datetime, timezone: str) -> str:
    return formatting.moment(value, timezone, context["lang"])


@pass_context
def _agenda_time(context: Context, value: datetime, event: Any) -> str:
    return formatting.agenda_time(value, event.starts_at, event.timezone, context["lang"])


@pass_context
def _day(context: Context, value: date) -> str:
    return formatting.day(value, context["lang"])


@pass_context
def _number(context: Context, value: int) -> str:
    return formatting.number(value, context["lang"])


def reader_language(request: Request) -> str:
    return choose_language(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


class Pages:
    def __init__(self, catalogues: Catalogues, assets: Assets) -> None:
        self.catalogues = catalogues
        self.env = Environment(
            loader=PackageLoader("samling_web", "templates"),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            # The templates ship with the code: without this every render looked at each
            # template file's modification time again (make bench-web).
            auto_reload=False,
        )
        self.env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=_gettext, ngettext=_ngettext, newstyle=True
        )
        self.env.globals.update(
            static=assets.url, LANGUAGES=LANGUAGES, ENDONYMS=ENDONYMS, CSRF_FIELD=CSRF_FIELD
        )
        self.env.filters.update(
            span=_span, moment=_moment, number=_number, agenda_time=_agenda_time, day=_day
        )

    def gettext(self, request: Request) -> GNUTranslations:
        return self.catalogues.get(reader_language(request))

    def render(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        language = reader_language(request)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        session = request.scope.get("session")
        user = current_user(request)
        html = self.env.get_template(template).render(
            user=user,
            menu=menu(user),
            # Read for the page by samling_web.unread, when the notifications API answered.
            unread=getattr(request.state, "unread", None) if user else None,
            signin_enabled=getattr(request.app.state, "oauth", None) is not None,
            lang=language,
            translations=self.catalogues.get(language),
            csrf_token=csrf_token(session) if session is not None else "",
            here=here,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=headers)
