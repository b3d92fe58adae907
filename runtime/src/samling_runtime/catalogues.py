"""Gettext catalogues compiled in memory from their ``.po`` files.

The ``.po`` files are the only source of a package's texts (the web app's pages, the
notifications service's mails). Compiling them when the process starts means no binary ``.mo``
is committed, so a catalogue can never be out of step with its source.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for "mark only"
    """Mark a message for extraction where it is defined; it is translated where shown."""
    return message


def po_path(locale_dir: Path, language: str, domain: str = DOMAIN) -> Path:
    """Where gettext keeps ``language``'s catalogue under ``locale_dir``."""
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def compile_po(path: Path, language: str, domain: str = DOMAIN) -> gettext.GNUTranslations:
    """The catalogue at ``path``, compiled in memory (untranslated and fuzzy entries left out,
    so gettext answers those with its fallback, or the message id)."""
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
