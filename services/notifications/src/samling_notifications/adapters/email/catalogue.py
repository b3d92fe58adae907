"""The mails' languages: their gettext catalogues, compiled in memory, and the fallback.

The words themselves are in ``locale/<lang>/LC_MESSAGES/messages.po`` (the English message
ids in :mod:`.texts`); a message a catalogue lacks falls back along ``FALLBACK`` (nn → nb →
en; sv and da → en), and a language we do not write in reads English.
"""

from __future__ import annotations

import functools
import gettext
from pathlib import Path

from samling_runtime.catalogues import compile_po, po_path

LANGUAGES = ("nb", "nn", "sv", "da", "en")
FALLBACK = {"nn": "nb", "nb": "en", "sv": "en", "da": "en", "en": "en"}
LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "en": "en_GB"}
"""Babel locales for dates; English readers here are Nordic, so 24-hour British forms."""
LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"


def language_chain(language: str | None) -> list[str]:
    """``language``, then the languages its missing messages are taken from."""
    chain: list[str] = []
    current = language if language in LANGUAGES else "en"
    while current not in chain:
        chain.append(current)
        current = FALLBACK[current]
    return chain


@functools.cache
def catalogue(language: str) -> gettext.GNUTranslations:
    """The catalogue of a language of ``LANGUAGES``, with its fallback behind it."""
    words = compile_po(po_path(LOCALE_DIR, language), language)
    chain = language_chain(language)
    if len(chain) > 1:
        words.add_fallback(catalogue(chain[1]))
    return words


def load() -> None:
    """Compile every catalogue now: a catalogue missing from the package, or broken, stops
    the service at start-up instead of failing its first mail."""
    for language in LANGUAGES:
        catalogue(language)
