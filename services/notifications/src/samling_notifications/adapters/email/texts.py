"""The words of every mail, as English gettext message ids; their translations are in
``locale/<lang>/LC_MESSAGES/messages.po`` (nb, nn, sv, da, en; README "Languages").

Each text is a Jinja template, translated whole and rendered with the notice's values: a
translation keeps the placeholders (``{{ title }}``) and conditions (``{% if reason %}``) of
its message id. The digest's subject has plural forms, counted by its lines (``items``).
"""

from __future__ import annotations

from dataclasses import dataclass

from samling_runtime.catalogues import N_


@dataclass(frozen=True)
class Counted:
    """A text with plural forms, chosen by ``ngettext`` from a count."""

    singular: str
    plural: str


def counted(singular: str, plural: str) -> Counted:
    """Mark a text with plural forms for extraction (``pybabel extract -k counted:1,2``)."""
    return Counted(singular, plural)


LABELS: dict[str, str] = {
    "greeting": N_("Hello {{ name }},"),
    "when": N_("When"),
    "where": N_("Where"),
    "online": N_("Online"),
    "manage": N_("See or change your registration"),
    "preferences": N_("Change notifications or unsubscribe"),
    "calendar": N_("The calendar file is attached."),
    "signature": N_("Best regards, Samling"),
    "register": N_("Register participants"),
    "event": N_("See the event"),
    "report": N_("Read the report"),
    "network": N_("See the network's page"),
    "evaluation": N_("Answer the evaluation"),
    "plan": N_("Open the plan"),
}
"""The words around a notice's own: greeting, labels, links, signature (a key per use)."""

NOTICES: dict[str, tuple[str | Counted, str]] = {
    # kind: (subject, body)
    "event.invitation": (
        N_("Invitation: {{ title }}"),
        N_("{{ network or 'Samling' }} invites you to “{{ title }}”."),
    ),
    "announcement": (
        N_("News from {{ network }}: {{ headline }}"),
        N_("{{ text }}"),
    ),
    "report.published": (
        N_("New experience report: {{ report }}"),
        N_("A new experience report was shared: “{{ report }}”."),
    ),
    "report.revised": (
        N_("Updated experience report: {{ report }}"),
        N_("“{{ report }}” was revised."),
    ),
    "registration.confirmed": (
        N_("Registration confirmed: {{ title }}"),
        N_("You have a seat at “{{ title }}”."),
    ),
    "registration.waitlisted": (
        N_("Waiting list: {{ title }}"),
        N_("“{{ title }}” is full. You are number {{ position }} on the waiting list."),
    ),
    "registration.promoted": (
        N_("A seat for you: {{ title }}"),
        N_(
            "A seat came free at “{{ title }}”.{% if offer_until %} Accept it by "
            "{{ offer_until }} or it goes to the next person.{% endif %}"
        ),
    ),
    "registration.approved": (
        N_("Registration approved: {{ title }}"),
        N_("Your registration for “{{ title }}” was approved."),
    ),
    "registration.declined": (
        N_("Registration declined: {{ title }}"),
        N_("Your registration for “{{ title }}” was not approved."),
    ),
    "registration.awaiting_approval": (
        N_("Registration awaiting approval: {{ title }}"),
        N_(
            "Someone registered for “{{ title }}” on behalf of your "
            "municipality with an e-mail address outside its domains. Approve "
            "or decline the registration: {{ event_url }}"
        ),
    ),
    "registration.cancelled": (
        N_("Registration cancelled: {{ title }}"),
        N_("Your registration for “{{ title }}” is cancelled."),
    ),
    "event.updated": (
        N_("Changed: {{ title }}"),
        N_("“{{ title }}” has changed."),
    ),
    "event.rescheduled": (
        N_("New time: {{ title }}"),
        N_(
            "“{{ title }}” moved from {{ previous }}."
            "{% if reason %} Message: {{ reason }}{% endif %}"
        ),
    ),
    "event.cancelled": (
        N_("Cancelled: {{ title }}"),
        N_("“{{ title }}” is cancelled.{% if reason %} Reason: {{ reason }}{% endif %}"),
    ),
    "assignment.assigned": (
        N_("Pre-work for {{ title }}"),
        N_("Before “{{ title }}”: {{ task }}. Due {{ due }}."),
    ),
    "assignment.due": (
        N_("Due now: {{ task }}"),
        N_("“{{ task }}” ({{ title }}) is due now."),
    ),
    "event.reminder": (
        N_("Reminder: {{ title }}"),
        N_("Don't forget “{{ title }}”."),
    ),
    "assignment.reminder": (
        N_("Pre-work reminder: {{ task }}"),
        N_("“{{ task }}” for “{{ title }}” is due {{ due }}."),
    ),
    "event.followup": (
        N_("Thank you for joining: {{ title }}"),
        N_("Tell us what you thought."),
    ),
    "digest": (
        counted(
            "Samling: {{ items|length }} new notice",
            "Samling: {{ items|length }} new notices",
        ),
        N_("Here is what happened since last time:"),
    ),
    "transfer.manager_named": (
        N_("Transfer plan{% if title %}: {{ title }}{% endif %}"),
        N_(
            "{{ participant or 'A colleague' }} named you as their manager"
            "{% if title %} for “{{ title }}”{% endif %}. You have three "
            "conversations about putting what is learned to work: before, "
            "during and after. Open the plan with the link below; it is yours "
            "alone."
        ),
    ),
    "transfer.reminder": (
        N_(
            "Reminder: the conversation {% if conversation == 'before' %}before"
            "{% elif conversation == 'during' %}during{% else %}after{% endif %}"
            " “{{ title }}”"
        ),
        N_(
            "It is time for the conversation {% if conversation == 'before' %}before"
            "{% elif conversation == 'during' %}during{% else %}after{% endif %}"
            " “{{ title }}”{% if for_manager %} with {{ participant }}"
            "{% else %} with your manager{% endif %}. The form and your notes are in "
            "the plan."
        ),
    ),
}
