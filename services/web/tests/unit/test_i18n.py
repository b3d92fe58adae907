"""Every message has a translation in every language, and the reader's language is chosen
from their cookie, then their browser, then bokmål."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from samling_web.i18n import LANGUAGES, choose_language, compile_catalogue, po_path

WEB = Path(__file__).resolve().parents[2]


def extracted(tmp_path: Path) -> set[str]:
    """Every message id in the templates and Python today (pybabel, as the README says)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "--no-location", "-o", str(pot), "src/samling_web"],
        cwd=WEB, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        return {key(m) for m in read_po(f) if m.id}


def key(message: Message) -> str:
    """A message's id; a plural message is known by its singular."""
    return message.id if isinstance(message.id, str) else str(message.id[0])


def done(message: Message) -> bool:
    """Translated, every plural form included, and not marked fuzzy."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms) and not message.fuzzy


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str, tmp_path: Path) -> None:
    with po_path(language).open("rb") as f:
        catalogue = read_po(f, locale=language)
    translated = {key(m) for m in catalogue if m.id and done(m)}
    missing = sorted(extracted(tmp_path) - translated)
    assert missing == [], f"{language} lacks: {missing}"
    compiled = compile_catalogue(language)  # in memory, as the app does at start-up
    assert compiled.ngettext("%(num)s seat", "%(num)s seats", 1) != compiled.ngettext(
        "%(num)s seat", "%(num)s seats", 2
    )


def test_the_catalogues_really_differ() -> None:
    said = {lang: compile_catalogue(lang).gettext("There is a problem") for lang in LANGUAGES}
    assert said == {
        "nb": "Det er et problem",
        "nn": "Det er eit problem",
        "sv": "Det finns ett problem",
        "da": "Der er et problem",
        "en": "There is a problem",
    }


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "nb"),
        ("nn", "en", "nn"),
        ("xx", "sv-SE,sv;q=0.9", "sv"),
        (None, "de-DE, da;q=0.8, en;q=0.9", "en"),
        (None, "no", "nb"),
        (None, "en;q=0, da", "da"),
        (None, "fr", "nb"),
    ],
)
def test_language_choice(cookie: str | None, accept: str | None, expected: str) -> None:
    assert choose_language(cookie, accept) == expected
