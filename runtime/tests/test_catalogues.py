"""A ``.po`` file compiles in memory into working gettext: translations, plural forms by the
language's rule, and the message id (or the fallback) for what is untranslated or fuzzy."""

from __future__ import annotations

import gettext
from pathlib import Path

from samling_runtime.catalogues import compile_po, po_path

PO = """\
msgid ""
msgstr ""
"Language: nb\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Reminder"
msgstr "Påminnelse"

msgid "{{ n }} notice"
msgid_plural "{{ n }} notices"
msgstr[0] "{{ n }} varsel"
msgstr[1] "{{ n }} varsler"

msgid "Not yet"
msgstr ""

#, fuzzy
msgid "Unsure"
msgstr "Usikker"
"""


def written(tmp_path: Path) -> Path:
    path = po_path(tmp_path / "locale", "nb")
    path.parent.mkdir(parents=True)
    path.write_text(PO, encoding="utf-8")
    return path


def test_a_catalogue_translates_and_counts(tmp_path: Path) -> None:
    words = compile_po(written(tmp_path), "nb")
    assert words.gettext("Reminder") == "Påminnelse"
    assert words.ngettext("{{ n }} notice", "{{ n }} notices", 1) == "{{ n }} varsel"
    assert words.ngettext("{{ n }} notice", "{{ n }} notices", 2) == "{{ n }} varsler"


def test_what_is_untranslated_or_fuzzy_is_left_to_the_fallback(tmp_path: Path) -> None:
    words = compile_po(written(tmp_path), "nb")
    assert (words.gettext("Not yet"), words.gettext("Unsure")) == ("Not yet", "Unsure")

    class Fallback(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return f"[{message}]"

    words.add_fallback(Fallback())
    assert (words.gettext("Not yet"), words.gettext("Reminder")) == ("[Not yet]", "Påminnelse")
