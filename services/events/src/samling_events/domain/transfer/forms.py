"""The three conversation forms of the transfer guide (seed 004), and the SMTTE draft.

Each form keeps the seed's structure; a field id names one heading of it. The questions are
translated where they are shown (the web app's catalogues); here they are in English, for the
API's readers. Every field belongs to one SMTTE element, so a shared conversation can become an
experience-report draft in the SMTTE template.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from samling_contracts.vocabulary import TransferConversation


class Smtte(StrEnum):
    """Sammenhæng, Mål, Tegn, Tiltag, Evaluering, in the order the model reads."""

    CONTEXT = "context"
    GOALS = "goals"
    SIGNS = "signs"
    ACTIONS = "actions"
    EVALUATION = "evaluation"


@dataclass(frozen=True, slots=True)
class FormField:
    id: str
    question: str
    element: Smtte


#: The end of the first and the last form alike: the seed closes the cycle with them.
PLANNING = (
    FormField("actions", "Actions: what will you do, who can help you, and when?", Smtte.ACTIONS),
    FormField("signs", "Signs: how will we see and hear that you approach the goals?", Smtte.SIGNS),
    FormField(
        "evaluation",
        "Evaluation: who gives you feedback, and how do we evaluate the work?",
        Smtte.EVALUATION,
    ),
)

FORMS: dict[TransferConversation, tuple[FormField, ...]] = {
    TransferConversation.BEFORE: (
        FormField("goals_me", "Goals: what do you want to achieve, for yourself?", Smtte.GOALS),
        FormField("goals_organisation", "Goals: what should the organisation gain?", Smtte.GOALS),
        FormField(
            "context",
            "Context: why these goals, and how do they fit the daily work?",
            Smtte.CONTEXT,
        ),
        *PLANNING,
    ),
    TransferConversation.DURING: (
        FormField(
            "module_and_practice",
            "Context: how do the module and your daily practice play together now?",
            Smtte.CONTEXT,
        ),
        FormField(
            "goals_changed",
            "Goals: have the goals changed, or has the module shown you new ones?",
            Smtte.GOALS,
        ),
        FormField(
            "actions",
            "Actions: what have you started, what not yet, and what stops you?",
            Smtte.ACTIONS,
        ),
        FormField("signs_seen", "Signs: what have you and we seen so far?", Smtte.SIGNS),
        FormField(
            "next_steps",
            "Evaluation: how do we go on, and what do you need from me and the organisation?",
            Smtte.EVALUATION,
        ),
    ),
    TransferConversation.AFTER: (
        FormField("effect", "Looking back: what effect did the module have?", Smtte.EVALUATION),
        FormField("went_well", "Looking back: what went particularly well?", Smtte.EVALUATION),
        FormField("went_less_well", "Looking back: what went less well?", Smtte.EVALUATION),
        FormField(
            "new_goals",
            "New goals: what do we set out to achieve now, for you and the organisation?",
            Smtte.GOALS,
        ),
        FormField(
            "context", "Context: why these goals, and how do they fit together?", Smtte.CONTEXT
        ),
        *PLANNING,
    ),
}


def field_of(conversation: TransferConversation, field_id: str) -> FormField | None:
    return next((f for f in FORMS[conversation] if f.id == field_id), None)
