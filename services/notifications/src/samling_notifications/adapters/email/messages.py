"""The words of every notice in nb, nn, sv, da and en, Jinja inside (the transfer plan's in
:mod:`.transfer_texts`); a missing language falls back along ``FALLBACK`` (nn → nb → en)."""

from __future__ import annotations

from samling_notifications.adapters.email import transfer_texts

LANGUAGES = ("nb", "nn", "sv", "da", "en")
FALLBACK = {"nn": "nb", "nb": "en", "sv": "en", "da": "en", "en": "en"}
LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "sv": "sv_SE", "da": "da_DK", "en": "en_GB"}

COMMON: dict[str, dict[str, str]] = {
    "nb": {
        "greeting": "Hei {{ name }},",
        "when": "Når",
        "where": "Hvor",
        "online": "Nettlenke",
        "manage": "Se eller endre påmeldingen din",
        "preferences": "Endre varslinger eller meld deg av",
        "calendar": "Kalenderfilen er vedlagt.",
        "signature": "Hilsen Samling",
        "register": "Meld på deltakere",
        "event": "Se arrangementet",
        "report": "Les rapporten",
        "network": "Se nettverkets side",
        "evaluation": "Svar på evalueringen",
    },
    "nn": {
        "greeting": "Hei {{ name }},",
        "when": "Når",
        "where": "Kvar",
        "online": "Nettlenkje",
        "manage": "Sjå eller endre påmeldinga di",
        "preferences": "Endre varslingar eller meld deg av",
        "calendar": "Kalenderfila er vedlagd.",
        "signature": "Helsing Samling",
        "register": "Meld på deltakarar",
        "event": "Sjå arrangementet",
        "report": "Les rapporten",
        "network": "Sjå sida til nettverket",
        "evaluation": "Svar på evalueringa",
    },
    "sv": {
        "greeting": "Hej {{ name }},",
        "when": "När",
        "where": "Var",
        "online": "Länk",
        "manage": "Se eller ändra din anmälan",
        "preferences": "Ändra aviseringar eller avsluta prenumerationen",
        "calendar": "Kalenderfilen är bifogad.",
        "signature": "Hälsningar, Samling",
        "register": "Anmäl deltagare",
        "event": "Se evenemanget",
        "report": "Läs rapporten",
        "network": "Se nätverkets sida",
        "evaluation": "Svara på utvärderingen",
    },
    "da": {
        "greeting": "Hej {{ name }},",
        "when": "Hvornår",
        "where": "Hvor",
        "online": "Link",
        "manage": "Se eller ændre din tilmelding",
        "preferences": "Skift notifikationer eller afmeld",
        "calendar": "Kalenderfilen er vedhæftet.",
        "signature": "Venlig hilsen Samling",
        "register": "Tilmeld deltagere",
        "event": "Se arrangementet",
        "report": "Læs rapporten",
        "network": "Se netværkets side",
        "evaluation": "Besvar evalueringen",
    },
    "en": {
        "greeting": "Hello {{ name }},",
        "when": "When",
        "where": "Where",
        "online": "Online",
        "manage": "See or change your registration",
        "preferences": "Change notifications or unsubscribe",
        "calendar": "The calendar file is attached.",
        "signature": "Best regards, Samling",
        "register": "Register participants",
        "event": "See the event",
        "report": "Read the report",
        "network": "See the network's page",
        "evaluation": "Answer the evaluation",
    },
}

# kind -> language -> (subject, body)
NOTICES: dict[str, dict[str, tuple[str, str]]] = {
    "event.invitation": {
        "nb": (
            "Invitasjon: {{ title }}",
            "{{ network or 'Samling' }} inviterer til «{{ title }}».",
        ),
        "nn": (
            "Invitasjon: {{ title }}",
            "{{ network or 'Samling' }} inviterer til «{{ title }}».",
        ),
        "sv": ("Inbjudan: {{ title }}", "{{ network or 'Samling' }} bjuder in till ”{{ title }}”."),
        "da": (
            "Invitation: {{ title }}",
            "{{ network or 'Samling' }} inviterer til »{{ title }}«.",
        ),
        "en": (
            "Invitation: {{ title }}",
            "{{ network or 'Samling' }} invites you to “{{ title }}”.",
        ),
    },
    "announcement": {
        "nb": ("Nytt fra {{ network }}: {{ headline }}", "{{ text }}"),
        "nn": ("Nytt frå {{ network }}: {{ headline }}", "{{ text }}"),
        "sv": ("Nytt från {{ network }}: {{ headline }}", "{{ text }}"),
        "da": ("Nyt fra {{ network }}: {{ headline }}", "{{ text }}"),
        "en": ("News from {{ network }}: {{ headline }}", "{{ text }}"),
    },
    "report.published": {
        "nb": (
            "Ny erfaringsrapport: {{ report }}",
            "En ny erfaringsrapport er delt: «{{ report }}».",
        ),
        "nn": (
            "Ny erfaringsrapport: {{ report }}",
            "Ein ny erfaringsrapport er delt: «{{ report }}».",
        ),
        "sv": (
            "Ny erfarenhetsrapport: {{ report }}",
            "En ny erfarenhetsrapport har delats: ”{{ report }}”.",
        ),
        "da": (
            "Ny erfaringsrapport: {{ report }}",
            "En ny erfaringsrapport er delt: »{{ report }}«.",
        ),
        "en": (
            "New experience report: {{ report }}",
            "A new experience report was shared: “{{ report }}”.",
        ),
    },
    "report.revised": {
        "nb": ("Oppdatert erfaringsrapport: {{ report }}", "«{{ report }}» er oppdatert."),
        "nn": ("Oppdatert erfaringsrapport: {{ report }}", "«{{ report }}» er oppdatert."),
        "sv": ("Uppdaterad erfarenhetsrapport: {{ report }}", "”{{ report }}” har uppdaterats."),
        "da": ("Opdateret erfaringsrapport: {{ report }}", "»{{ report }}« er opdateret."),
        "en": ("Updated experience report: {{ report }}", "“{{ report }}” was revised."),
    },
    "registration.confirmed": {
        "nb": ("Påmelding bekreftet: {{ title }}", "Du har fått plass på «{{ title }}»."),
        "nn": ("Påmelding stadfesta: {{ title }}", "Du har fått plass på «{{ title }}»."),
        "sv": ("Anmälan bekräftad: {{ title }}", "Du har fått en plats på ”{{ title }}”."),
        "da": ("Tilmelding bekræftet: {{ title }}", "Du har fået plads på »{{ title }}«."),
        "en": ("Registration confirmed: {{ title }}", "You have a seat at “{{ title }}”."),
    },
    "registration.waitlisted": {
        "nb": (
            "Venteliste: {{ title }}",
            "«{{ title }}» er fullt. Du står som nummer {{ position }} på ventelisten.",
        ),
        "nn": (
            "Venteliste: {{ title }}",
            "«{{ title }}» er fullt. Du står som nummer {{ position }} på ventelista.",
        ),
        "sv": (
            "Väntelista: {{ title }}",
            "”{{ title }}” är fullt. Du står som nummer {{ position }} på väntelistan.",
        ),
        "da": (
            "Venteliste: {{ title }}",
            "»{{ title }}« er fuldt. Du er nummer {{ position }} på ventelisten.",
        ),
        "en": (
            "Waiting list: {{ title }}",
            "“{{ title }}” is full. You are number {{ position }} on the waiting list.",
        ),
    },
    "registration.promoted": {
        "nb": (
            "Du har fått plass: {{ title }}",
            "En plass ble ledig på «{{ title }}».{% if offer_until %} Takk ja innen {{ offer_until }}, ellers går plassen videre.{% endif %}",
        ),
        "nn": (
            "Du har fått plass: {{ title }}",
            "Ein plass vart ledig på «{{ title }}».{% if offer_until %} Takk ja innan {{ offer_until }}, elles går plassen vidare.{% endif %}",
        ),
        "sv": (
            "Du har fått en plats: {{ title }}",
            "En plats blev ledig på ”{{ title }}”.{% if offer_until %} Tacka ja senast {{ offer_until }}, annars går platsen vidare.{% endif %}",
        ),
        "da": (
            "Du har fået plads: {{ title }}",
            "En plads blev ledig på »{{ title }}«.{% if offer_until %} Sig ja senest {{ offer_until }}, ellers går pladsen videre.{% endif %}",
        ),
        "en": (
            "A seat for you: {{ title }}",
            "A seat came free at “{{ title }}”.{% if offer_until %} Accept it by {{ offer_until }} or it goes to the next person.{% endif %}",
        ),
    },
    "registration.approved": {
        "nb": ("Påmelding godkjent: {{ title }}", "Påmeldingen din til «{{ title }}» er godkjent."),
        "nn": ("Påmelding godkjend: {{ title }}", "Påmeldinga di til «{{ title }}» er godkjend."),
        "sv": ("Anmälan godkänd: {{ title }}", "Din anmälan till ”{{ title }}” är godkänd."),
        "da": ("Tilmelding godkendt: {{ title }}", "Din tilmelding til »{{ title }}« er godkendt."),
        "en": (
            "Registration approved: {{ title }}",
            "Your registration for “{{ title }}” was approved.",
        ),
    },
    "registration.declined": {
        "nb": (
            "Påmelding avslått: {{ title }}",
            "Påmeldingen din til «{{ title }}» ble dessverre ikke godkjent.",
        ),
        "nn": (
            "Påmelding avslått: {{ title }}",
            "Påmeldinga di til «{{ title }}» vart dessverre ikkje godkjend.",
        ),
        "sv": (
            "Anmälan avböjd: {{ title }}",
            "Din anmälan till ”{{ title }}” kunde tyvärr inte godkännas.",
        ),
        "da": (
            "Tilmelding afvist: {{ title }}",
            "Din tilmelding til »{{ title }}« blev desværre ikke godkendt.",
        ),
        "en": (
            "Registration declined: {{ title }}",
            "Your registration for “{{ title }}” was not approved.",
        ),
    },
    "registration.awaiting_approval": {
        "nb": (
            "Påmelding venter på godkjenning: {{ title }}",
            "Noen har meldt seg på «{{ title }}» for kommunen din med en e-postadresse utenfor "
            "kommunens domener. Godkjenn eller avslå påmeldingen: {{ event_url }}",
        ),
        "nn": (
            "Påmelding ventar på godkjenning: {{ title }}",
            "Nokon har meldt seg på «{{ title }}» for kommunen din med ei e-postadresse utanfor "
            "kommunen sine domene. Godkjenn eller avslå påmeldinga: {{ event_url }}",
        ),
        "sv": (
            "Anmälan väntar på godkännande: {{ title }}",
            "Någon har anmält sig till ”{{ title }}” för din kommun med en e-postadress utanför "
            "kommunens domäner. Godkänn eller avböj anmälan: {{ event_url }}",
        ),
        "da": (
            "Tilmelding venter på godkendelse: {{ title }}",
            "Nogen har tilmeldt sig »{{ title }}« for din kommune med en e-mailadresse uden for "
            "kommunens domæner. Godkend eller afvis tilmeldingen: {{ event_url }}",
        ),
        "en": (
            "Registration awaiting approval: {{ title }}",
            "Someone registered for “{{ title }}” on behalf of your municipality with an e-mail "
            "address outside its domains. Approve or decline the registration: {{ event_url }}",
        ),
    },
    "registration.cancelled": {
        "nb": ("Påmelding avmeldt: {{ title }}", "Påmeldingen din til «{{ title }}» er avmeldt."),
        "nn": ("Påmelding avmeld: {{ title }}", "Påmeldinga di til «{{ title }}» er avmeld."),
        "sv": ("Anmälan avbokad: {{ title }}", "Din anmälan till ”{{ title }}” är avbokad."),
        "da": ("Tilmelding afmeldt: {{ title }}", "Din tilmelding til »{{ title }}« er afmeldt."),
        "en": (
            "Registration cancelled: {{ title }}",
            "Your registration for “{{ title }}” is cancelled.",
        ),
    },
    "event.updated": {
        "nb": ("Endret: {{ title }}", "Det er gjort endringer i «{{ title }}»."),
        "nn": ("Endra: {{ title }}", "Det er gjort endringar i «{{ title }}»."),
        "sv": ("Ändrat: {{ title }}", "”{{ title }}” har ändrats."),
        "da": ("Ændret: {{ title }}", "Der er ændringer i »{{ title }}«."),
        "en": ("Changed: {{ title }}", "“{{ title }}” has changed."),
    },
    "event.rescheduled": {
        "nb": (
            "Nytt tidspunkt: {{ title }}",
            "«{{ title }}» er flyttet fra {{ previous }}."
            "{% if reason %} Beskjed: {{ reason }}{% endif %}",
        ),
        "nn": (
            "Nytt tidspunkt: {{ title }}",
            "«{{ title }}» er flytta frå {{ previous }}."
            "{% if reason %} Melding: {{ reason }}{% endif %}",
        ),
        "sv": (
            "Ny tid: {{ title }}",
            "”{{ title }}” har flyttats från {{ previous }}."
            "{% if reason %} Meddelande: {{ reason }}{% endif %}",
        ),
        "da": (
            "Nyt tidspunkt: {{ title }}",
            "»{{ title }}« er flyttet fra {{ previous }}."
            "{% if reason %} Besked: {{ reason }}{% endif %}",
        ),
        "en": (
            "New time: {{ title }}",
            "“{{ title }}” moved from {{ previous }}."
            "{% if reason %} Message: {{ reason }}{% endif %}",
        ),
    },
    "event.cancelled": {
        "nb": (
            "Avlyst: {{ title }}",
            "«{{ title }}» er avlyst.{% if reason %} Årsak: {{ reason }}{% endif %}",
        ),
        "nn": (
            "Avlyst: {{ title }}",
            "«{{ title }}» er avlyst.{% if reason %} Årsak: {{ reason }}{% endif %}",
        ),
        "sv": (
            "Inställt: {{ title }}",
            "”{{ title }}” är inställt.{% if reason %} Orsak: {{ reason }}{% endif %}",
        ),
        "da": (
            "Aflyst: {{ title }}",
            "»{{ title }}« er aflyst.{% if reason %} Årsag: {{ reason }}{% endif %}",
        ),
        "en": (
            "Cancelled: {{ title }}",
            "“{{ title }}” is cancelled.{% if reason %} Reason: {{ reason }}{% endif %}",
        ),
    },
    "assignment.assigned": {
        "nb": ("Forarbeid til {{ title }}", "Før «{{ title }}»: {{ task }}. Frist {{ due }}."),
        "nn": ("Førearbeid til {{ title }}", "Før «{{ title }}»: {{ task }}. Frist {{ due }}."),
        "sv": (
            "Förberedelse inför {{ title }}",
            "Inför ”{{ title }}”: {{ task }}. Senast {{ due }}.",
        ),
        "da": ("Forberedelse til {{ title }}", "Før »{{ title }}«: {{ task }}. Frist {{ due }}."),
        "en": ("Pre-work for {{ title }}", "Before “{{ title }}”: {{ task }}. Due {{ due }}."),
    },
    "assignment.due": {
        "nb": ("Fristen er nå: {{ task }}", "Fristen for «{{ task }}» ({{ title }}) er nådd."),
        "nn": ("Fristen er no: {{ task }}", "Fristen for «{{ task }}» ({{ title }}) er nådd."),
        "sv": ("Sista dag: {{ task }}", "Tiden för ”{{ task }}” ({{ title }}) har gått ut."),
        "da": ("Fristen er nu: {{ task }}", "Fristen for »{{ task }}« ({{ title }}) er nået."),
        "en": ("Due now: {{ task }}", "“{{ task }}” ({{ title }}) is due now."),
    },
    "event.reminder": {
        "nb": ("Påminnelse: {{ title }}", "Husk «{{ title }}»."),
        "nn": ("Påminning: {{ title }}", "Hugs «{{ title }}»."),
        "sv": ("Påminnelse: {{ title }}", "Glöm inte ”{{ title }}”."),
        "da": ("Påmindelse: {{ title }}", "Husk »{{ title }}«."),
        "en": ("Reminder: {{ title }}", "Don't forget “{{ title }}”."),
    },
    "assignment.reminder": {
        "nb": (
            "Påminnelse om forarbeid: {{ task }}",
            "«{{ task }}» til «{{ title }}» har frist {{ due }}.",
        ),
        "nn": (
            "Påminning om førearbeid: {{ task }}",
            "«{{ task }}» til «{{ title }}» har frist {{ due }}.",
        ),
        "sv": (
            "Påminnelse om förberedelse: {{ task }}",
            "”{{ task }}” inför ”{{ title }}” ska vara klart {{ due }}.",
        ),
        "da": (
            "Påmindelse om forberedelse: {{ task }}",
            "»{{ task }}« til »{{ title }}« har frist {{ due }}.",
        ),
        "en": ("Pre-work reminder: {{ task }}", "“{{ task }}” for “{{ title }}” is due {{ due }}."),
    },
    "event.followup": {
        "nb": (
            "Takk for sist: {{ title }}",
            "Fortell oss hva du syntes.",
        ),
        "nn": (
            "Takk for sist: {{ title }}",
            "Fortel oss kva du syntest.",
        ),
        "sv": (
            "Tack för senast: {{ title }}",
            "Berätta vad du tyckte.",
        ),
        "da": (
            "Tak for sidst: {{ title }}",
            "Fortæl os, hvad du syntes.",
        ),
        "en": (
            "Thank you for joining: {{ title }}",
            "Tell us what you thought.",
        ),
    },
    "digest": {
        "nb": ("Samling: {{ items|length }} nye varsler", "Dette har skjedd siden sist:"),
        "nn": ("Samling: {{ items|length }} nye varsel", "Dette har skjedd sidan sist:"),
        "sv": ("Samling: {{ items|length }} nya aviseringar", "Det här har hänt sedan sist:"),
        "da": ("Samling: {{ items|length }} nye notifikationer", "Det her er sket siden sidst:"),
        "en": ("Samling: {{ items|length }} new notices", "Here is what happened since last time:"),
    },
    **transfer_texts.NOTICES,
}


def language_chain(language: str | None) -> list[str]:
    chain: list[str] = []
    current = language if language in LANGUAGES else "en"
    while current not in chain:
        chain.append(current)
        current = FALLBACK[current]
    return chain


def pick(table: dict[str, tuple[str, str]], language: str | None) -> tuple[str, str]:
    for lang in language_chain(language):
        if lang in table:
            return table[lang]
    return table["en"]


def common(language: str | None) -> dict[str, str]:
    merged: dict[str, str] = {}
    for lang in reversed(language_chain(language)):
        merged.update(COMMON.get(lang, {}) | transfer_texts.LABELS.get(lang, {}))
    return merged
