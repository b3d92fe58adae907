"""Subject, plain text and HTML of a notice, in the recipient's language (Jinja2, gettext
catalogues and Babel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from samling_notifications.adapters.email.catalogue import LOCALES, catalogue, language_chain
from samling_notifications.adapters.email.texts import LABELS, NOTICES, Counted

_files = Environment(
    loader=PackageLoader("samling_notifications", "templates"),
    autoescape=select_autoescape(["html", "html.j2"]),
    keep_trailing_newline=True,
)
# Catalogue strings render to plain text; the HTML page escapes them when it shows them.
_strings = Environment(autoescape=False, undefined=StrictUndefined)  # noqa: S701


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


def resolved_language(language: str | None) -> str:
    return language_chain(language)[0]


def format_moment(moment: datetime | str | None, language: str, timezone: str | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    local = moment.astimezone(ZoneInfo(timezone or "Europe/Oslo"))
    locale = LOCALES[language]
    return (
        f"{format_date(local, 'full', locale=locale)} {format_time(local, 'short', locale=locale)}"
    )


def translated(text: str | Counted, language: str, count: int) -> str:
    """``text`` in ``language``; a counted text in the plural form for ``count``."""
    words = catalogue(language)
    if isinstance(text, Counted):
        return words.ngettext(text.singular, text.plural, count)
    return words.gettext(text)


@lru_cache(maxsize=512)
def _template(source: str) -> Template:
    return _strings.from_string(source)


def _part(kind: str, language: str, part: int, values: dict[str, Any]) -> str:
    text = translated(NOTICES[kind][part], language, len(values["items"]))
    return _template(text).render(values)


@lru_cache(maxsize=64)
def _labels(language: str) -> dict[str, str]:
    return {key: translated(text, language, 1) for key, text in LABELS.items()}


def summary(kind: str, language: str | None, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and one-paragraph body, for the in-app inbox."""
    lang = resolved_language(language)
    values = {"name": "", "title": "", "network": "", "items": [], **context}
    return _part(kind, lang, 0, values), _part(kind, lang, 1, values)


def render(kind: str, language: str | None, context: dict[str, Any]) -> Rendered:
    lang = resolved_language(language)
    values: dict[str, Any] = {
        "name": "",
        "title": "",
        "network": "",
        "items": [],
        **{k: "" if v is None else v for k, v in context.items()},
    }
    subject = _part(kind, lang, 0, values)
    body = _part(kind, lang, 1, values)
    labels = _labels(lang)
    greeting = _template(labels["greeting"]).render(values).replace(" ,", ",")
    page = {
        **values,
        "subject": subject,
        "body": body,
        "greeting": greeting,
        "labels": labels,
        "language": lang,
    }
    text = _files.get_template("email.txt.j2").render(page)
    html = _files.get_template("email.html.j2").render(page)
    return Rendered(subject, text, html, lang)
