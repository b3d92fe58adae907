"""Every mail text has a translation in every language that keeps its placeholders, the
digest's subject counts its lines, and each language reads as itself."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from jinja2 import Environment, meta
from samling_notifications.adapters.email.catalogue import LANGUAGES, LOCALE_DIR, language_chain
from samling_notifications.adapters.email.render import render
from samling_runtime.catalogues import po_path

SERVICE = Path(__file__).resolve().parents[2]


def catalogue(language: str) -> Catalog:
    with po_path(LOCALE_DIR, language).open("rb") as f:
        return read_po(f, locale=language)


def forms(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """A message's text, or each of its plural forms."""
    return (text or "",) if text is None or isinstance(text, str) else tuple(text)


def key(message: Message) -> str:
    """A message's id; a plural message is known by its singular."""
    return forms(message.id)[0]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every message id in the code today (pybabel, as the README says)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "counted:1,2", "--no-location", "-o", str(pot),
         "src/samling_notifications"],
        cwd=SERVICE, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as f:
        return {key(m) for m in read_po(f) if m.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str, extracted: set[str]) -> None:
    done = {key(m) for m in catalogue(language) if m.id and all(forms(m.string)) and not m.fuzzy}
    assert len(extracted) > 50  # the mails' words were found at all
    assert sorted(extracted - done) == [], f"{language} lacks these"


def variables(template: str) -> set[str]:
    """The values a text's Jinja reads (a syntax error in a translation fails here)."""
    parsed = Environment(autoescape=True).parse(template)
    return set(meta.find_undeclared_variables(parsed))


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language: str) -> None:
    changed = {
        key(m): (variables(form), variables(key(m)))
        for m in catalogue(language)
        if m.id
        for form in forms(m.string)
        if variables(form) != variables(key(m))
    }
    assert changed == {}


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_finds_nothing_to_fix(language: str) -> None:
    checked = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(po_path(LOCALE_DIR, language))],
        capture_output=True,
        text=True,
    )
    assert (checked.returncode, checked.stderr) == (0, "")


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("nb", "Samling: 1 nytt varsel", "Samling: 2 nye varsler"),
        ("nn", "Samling: 1 nytt varsel", "Samling: 2 nye varsel"),
        ("sv", "Samling: 1 ny avisering", "Samling: 2 nya aviseringar"),
        ("da", "Samling: 1 ny notifikation", "Samling: 2 nye notifikationer"),
        ("en", "Samling: 1 new notice", "Samling: 2 new notices"),
    ],
)
def test_the_digest_subject_counts_its_lines(language: str, one: str, two: str) -> None:
    assert render("digest", language, {"items": ["a"]}).subject == one
    assert render("digest", language, {"items": ["a", "b"]}).subject == two


def test_each_language_reads_as_itself() -> None:
    said = {
        language: render("event.reminder", language, {"title": "Dialog", "name": "Åse"})
        for language in (*LANGUAGES, "de", None)
    }
    assert {language: mail.subject for language, mail in said.items()} == {
        "nb": "Påminnelse: Dialog",
        "nn": "Påminning: Dialog",
        "sv": "Påminnelse: Dialog",
        "da": "Påmindelse: Dialog",
        "en": "Reminder: Dialog",
        "de": "Reminder: Dialog",  # a language we do not write in reads English
        None: "Reminder: Dialog",
    }
    assert said["nn"].text.startswith("Hei Åse,\n\nHugs «Dialog».")
    assert said["da"].language == "da"


def test_nynorsk_falls_back_to_bokmal_then_english() -> None:
    assert language_chain("nn") == ["nn", "nb", "en"]
    assert language_chain("sv") == ["sv", "en"]
    assert language_chain("xx") == ["en"]
