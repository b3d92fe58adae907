"""The short evaluation after an event (the E of SMTTE): when it opens and what its summary
says. Pure decisions, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from samling_kernel.decisions import Refused

from samling_events.domain.events import Event


@dataclass(frozen=True)
class EvaluationAnswer:
    rating: int
    """1 (poor) to 5 (excellent)."""
    useful_for_practice: bool | None
    """Optional: None when the participant did not say."""
    comment: str | None


@dataclass(frozen=True)
class EvaluationSummary:
    responses: int
    average_rating: float | None
    """None before anyone answered."""
    useful_share: float | None
    """Of those who said whether it was useful, the share who said yes."""
    useful_answers: int
    comments: list[str]


def ensure_evaluation_open(event: Event, now: datetime) -> None:
    """Participants evaluate what they took part in: from the start, not before."""
    if now < event.starts_at:
        raise Refused("The evaluation opens when the event has started.")


def summarise(answers: list[EvaluationAnswer]) -> EvaluationSummary:
    ratings = [a.rating for a in answers]
    useful = [a.useful_for_practice for a in answers if a.useful_for_practice is not None]
    return EvaluationSummary(
        responses=len(answers),
        average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
        useful_share=round(sum(useful) / len(useful), 2) if useful else None,
        useful_answers=len(useful),
        comments=[a.comment for a in answers if a.comment],
    )
