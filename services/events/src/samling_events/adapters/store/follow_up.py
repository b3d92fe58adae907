"""The follow-up's reads and writes the routes need, by name: an event's assignments, who
completed them, and the evaluations, each a document of its own keyed by who wrote it
(docs/store-rule.md), so a participant's second answer replaces the first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection
from samling_contracts.vocabulary import AssignmentPhase
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore

from samling_events.domain.conference import Assignment
from samling_events.domain.evaluation import EvaluationAnswer


@dataclass(frozen=True)
class FollowUp:
    assignments: AggregateStore[Assignment]
    completions: AsyncCollection[Document]
    evaluations: AsyncCollection[Document]

    async def assignments_of(self, event_id: str) -> list[Assignment]:
        """The event's assignments, soonest due first."""
        return await self._assignments({"event_id": event_id})

    async def prework_of(self, event_id: str) -> list[Assignment]:
        """What participants are asked to do before the event, soonest due first."""
        return await self._assignments({"event_id": event_id, "phase": AssignmentPhase.PRE.value})

    async def _assignments(self, query: Document) -> list[Assignment]:
        docs = await self.assignments.current.find(query, sort=[("due_at", 1)]).to_list()
        return [self.assignments.from_current(doc) for doc in docs]

    async def completed_by(self, assignment_id: str) -> list[str]:
        """The registrations that completed the assignment, sorted."""
        docs = await self.completions.find({"assignment_id": assignment_id}).to_list()
        return sorted(d["registration_id"] for d in docs)

    async def has_completed(self, assignment_id: str, registration_id: str) -> bool:
        """One equality on ``_id`` (FerretDB v1 would read the whole collection for an $in)."""
        found = await self.completions.find_one(
            {"_id": f"{assignment_id}:{registration_id}"}, {"_id": 1}
        )
        return found is not None

    async def mark_completed(self, assignment_id: str, registration_id: str, at: datetime) -> None:
        await self.completions.replace_one(
            {"_id": f"{assignment_id}:{registration_id}"},
            {
                "assignment_id": assignment_id,
                "registration_id": registration_id,
                "completed_at": at,
            },
            upsert=True,
        )

    async def save_evaluation(
        self, event_id: str, registration_id: str, answers: Document, at: datetime
    ) -> None:
        """The participant's evaluation of the event; an earlier one is replaced."""
        await self.evaluations.replace_one(
            {"_id": f"{event_id}:{registration_id}"},
            {"event_id": event_id, **answers, "at": at},
            upsert=True,
        )

    async def evaluations_of(self, event_id: str) -> list[EvaluationAnswer]:
        docs = await self.evaluations.find({"event_id": event_id}).to_list()
        return [
            EvaluationAnswer(d["rating"], d.get("useful_for_practice"), d.get("comment"))
            for d in docs
        ]

    async def has_evaluated(self, event_id: str, registration_id: str) -> bool:
        found = await self.evaluations.find_one(
            {"_id": f"{event_id}:{registration_id}"}, {"_id": 1}
        )
        return found is not None
