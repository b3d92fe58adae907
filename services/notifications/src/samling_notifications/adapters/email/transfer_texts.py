"""The words of the transfer plan's mails in nb, nn, sv, da and en: the manager told they were
named, and the reminder of each of the three conversations (to the participant, or to the
manager: ``for_manager``). Kept beside :mod:`.messages`, which merges them."""

from __future__ import annotations


def _which(before: str, during: str, after: str) -> str:
    """The conversation's preposition in one language (``conversation`` is before, during or
    after)."""
    return (
        f"{{% if conversation == 'before' %}}{before}"
        f"{{% elif conversation == 'during' %}}{during}{{% else %}}{after}{{% endif %}}"
    )


_NB, _NN = _which("før", "underveis i", "etter"), _which("før", "undervegs i", "etter")
_SV, _DA = _which("före", "under", "efter"), _which("før", "undervejs i", "efter")
_EN = _which("before", "during", "after")

LABELS: dict[str, dict[str, str]] = {
    "nb": {"plan": "Åpne planen"},
    "nn": {"plan": "Opne planen"},
    "sv": {"plan": "Öppna planen"},
    "da": {"plan": "Åbn planen"},
    "en": {"plan": "Open the plan"},
}
"""The words of the link to the plan (the mail's personal link)."""

NOTICES: dict[str, dict[str, tuple[str, str]]] = {
    "transfer.manager_named": {
        "nb": (
            "Overføringsplan{% if title %}: {{ title }}{% endif %}",
            "{{ participant or 'En medarbeider' }} har ført deg opp som sin leder"
            "{% if title %} for «{{ title }}»{% endif %}. Dere har tre samtaler om hvordan det "
            "som læres, tas i bruk: før, underveis og etter. Planen åpner du med lenken "
            "nedenfor; den er bare din.",
        ),
        "nn": (
            "Overføringsplan{% if title %}: {{ title }}{% endif %}",
            "{{ participant or 'Ein medarbeidar' }} har ført deg opp som leiaren sin"
            "{% if title %} for «{{ title }}»{% endif %}. De har tre samtalar om korleis det "
            "som blir lært, blir teke i bruk: før, undervegs og etter. Planen opnar du med "
            "lenkja nedanfor; ho er berre di.",
        ),
        "sv": (
            "Transferplan{% if title %}: {{ title }}{% endif %}",
            "{{ participant or 'En medarbetare' }} har angett dig som sin chef"
            "{% if title %} för ”{{ title }}”{% endif %}. Ni har tre samtal om hur det som "
            "lärs kommer till användning: före, under och efter. Planen öppnar du med länken "
            "nedan; den är bara din.",
        ),
        "da": (
            "Transferplan{% if title %}: {{ title }}{% endif %}",
            "{{ participant or 'En medarbejder' }} har angivet dig som sin leder"
            "{% if title %} til »{{ title }}«{% endif %}. I har tre samtaler om, hvordan det "
            "lærte bliver brugt: før, undervejs og efter. Planen åbner du med linket nedenfor; "
            "det er kun dit.",
        ),
        "en": (
            "Transfer plan{% if title %}: {{ title }}{% endif %}",
            "{{ participant or 'A colleague' }} named you as their manager"
            "{% if title %} for “{{ title }}”{% endif %}. You have three conversations about "
            "putting what is learned to work: before, during and after. Open the plan with the "
            "link below; it is yours alone.",
        ),
    },
    "transfer.reminder": {
        "nb": (
            f"Påminnelse: samtalen {_NB} «{{{{ title }}}}»",
            f"Det er tid for samtalen {_NB} «{{{{ title }}}}»{{% if for_manager %}} med "
            "{{ participant }}{% else %} med lederen din{% endif %}. Skjemaet og notatene "
            "deres finner du i planen.",
        ),
        "nn": (
            f"Påminning: samtalen {_NN} «{{{{ title }}}}»",
            f"Det er tid for samtalen {_NN} «{{{{ title }}}}»{{% if for_manager %}} med "
            "{{ participant }}{% else %} med leiaren din{% endif %}. Skjemaet og notata "
            "dykkar finn du i planen.",
        ),
        "sv": (
            f"Påminnelse: samtalet {_SV} ”{{{{ title }}}}”",
            f"Det är dags för samtalet {_SV} ”{{{{ title }}}}”{{% if for_manager %}} med "
            "{{ participant }}{% else %} med din chef{% endif %}. Formuläret och era "
            "anteckningar finns i planen.",
        ),
        "da": (
            f"Påmindelse: samtalen {_DA} »{{{{ title }}}}«",
            f"Det er tid til samtalen {_DA} »{{{{ title }}}}«{{% if for_manager %}} med "
            "{{ participant }}{% else %} med din leder{% endif %}. Skemaet og jeres noter "
            "finder I i planen.",
        ),
        "en": (
            f"Reminder: the conversation {_EN} “{{{{ title }}}}”",
            f"It is time for the conversation {_EN} “{{{{ title }}}}”{{% if for_manager %}} "
            "with {{ participant }}{% else %} with your manager{% endif %}. The form and your "
            "notes are in the plan.",
        ),
    },
}
