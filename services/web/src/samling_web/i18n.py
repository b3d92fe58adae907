"""Languages: gettext catalogues compiled in memory at start-up, and the reader's choice.

The ``.po`` files under ``locale/`` are the only source of texts (``pybabel extract`` finds
them in templates and Python; see services/web/README.md). They are compiled when the app
starts, so no binary ``.mo`` is committed and a catalogue can never be out of step with it.
"""

from __future__ import annotations

import functools
import gettext
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from samling_runtime import catalogues

LANGUAGES = ("nb", "nn", "sv", "da", "en")
DEFAULT_LANGUAGE = "nb"
LANGUAGE_COOKIE = "samling_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = catalogues.DOMAIN

# What each language calls itself in the chooser (never translated: a reader looks for their own).
ENDONYMS = {
    "nb": "Norsk bokmål",
    "nn": "Norsk nynorsk",
    "sv": "Svenska",
    "da": "Dansk",
    "en": "English",
}
# Babel locales for formatting; English readers here are Nordic, so 24-hour British forms.
BABEL_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "en": "en_GB"}
# Accept-Language tags that mean one of ours: "no" is Norwegian, which we read as bokmål.
ALIASES = {"no": "nb", "nob": "nb", "nno": "nn"}


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """Mark a message for extraction where it is defined; it is translated where shown."""
    return message


def po_path(language: str) -> Path:
    return catalogues.po_path(LOCALE_DIR, language)


def compile_catalogue(language: str) -> gettext.GNUTranslations:
    return catalogues.compile_po(po_path(language), language)


@dataclass(frozen=True)
class Catalogues:
    translations: dict[str, gettext.GNUTranslations]

    @classmethod
    def load(cls) -> Catalogues:
        return cls({language: compile_catalogue(language) for language in LANGUAGES})

    def get(self, language: str) -> gettext.GNUTranslations:
        return self.translations[language]


@functools.cache
def babel_locale(language: str) -> Locale:
    # Parsed once per language: every date and number on a page asked for it anew (make
    # bench-web); a Locale is not changed by the formatting that reads it.
    return Locale.parse(BABEL_LOCALES[language])


def _accepted(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most wanted first (q=0 left out)."""
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(weighted)]


@functools.lru_cache(maxsize=256)
def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The reader's language: their choice in the cookie, else their browser's, else bokmål.

    Kept for the last headers seen: browsers send a handful of distinct Accept-Language
    values, and each page asks this more than once."""
    if cookie in LANGUAGES:
        return cookie
    for tag in _accepted(accept_language or ""):
        primary = tag.split("-")[0]
        primary = ALIASES.get(primary, primary)
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
