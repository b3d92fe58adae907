"""Subject, plain text and HTML of a notice, in the recipient's language (Jinja2 + Babel)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from samling_notifications.adapters.email.messages import LOCALES, NOTICES, common, language_chain

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


@lru_cache(maxsize=512)
def _compiled(kind: str, language: str, part: int) -> Template:
    table = NOTICES[kind]
    for lang in language_chain(language):
        if lang in table:
            return _strings.from_string(table[lang][part])
    return _strings.from_string(table["en"][part])


@lru_cache(maxsize=64)
def _labels(language: str) -> dict[str, str]:
    return common(language)


def summary(kind: str, language: str | None, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and one-paragraph body, for the in-app inbox."""
    lang = resolved_language(language)
    values = {"name": "", "title": "", "network": "", "items": [], **context}
    return _compiled(kind, lang, 0).render(values), _compiled(kind, lang, 1).render(values)


def render(kind: str, language: str | None, context: dict[str, Any]) -> Rendered:
    lang = resolved_language(language)
    values: dict[str, Any] = {
        "name": "",
        "title": "",
        "network": "",
        "items": [],
        **{k: "" if v is None else v for k, v in context.items()},
    }
    subject = _compiled(kind, lang, 0).render(values)
    body = _compiled(kind, lang, 1).render(values)
    labels = _labels(lang)
    greeting = _strings.from_string(labels["greeting"]).render(values).replace(" ,", ",")
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
