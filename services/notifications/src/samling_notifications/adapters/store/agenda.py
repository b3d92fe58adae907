"""Reminders in the store: one document per reminder (an event's, a pre-work assignment's, a
transfer plan's per conversation and person), its ``_id`` from the domain
(:mod:`samling_notifications.domain.audience`, :mod:`samling_notifications.domain.transfer`),
so moving one rewrites it and a redelivered fact changes nothing. Each write gives a
reminder with a due time the hour the poll finds it in (:func:`reminder_hour`, by the
writer's clock), so one moved into an hour the poll has finished fires all the same."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from samling_runtime.clock import Clock
from samling_runtime.mongo import Document, insert_new

from samling_notifications.adapters.store.due_reminders import reminder_hour
from samling_notifications.domain.audience import Reminder
from samling_notifications.domain.transfer import TransferReminder


class Agenda:
    def __init__(self, reminders: AsyncCollection[Document], clock: Clock) -> None:
        self._reminders = reminders
        self._clock = clock

    def _with_hour(self, fields: dict[str, Any]) -> dict[str, Any]:
        return {**fields, **reminder_hour(fields["due_at"], self._clock.now())}

    async def put(self, reminder: Reminder) -> None:
        """The event's or assignment's reminder, at its (new) time."""
        document = self._with_hour(reminder.document())
        await self._reminders.replace_one({"_id": reminder.id}, document, upsert=True)

    async def drop(self, reminder_id: str) -> None:
        await self._reminders.delete_one({"_id": reminder_id})

    async def drop_all_of_event(self, event_id: str) -> None:
        """Every reminder about the event: its own, its assignments' and its transfer plans'."""
        await self._reminders.delete_many({"event_id": event_id})

    async def drop_own_of_event(self, event_id: str) -> None:
        """The event's own reminders and its assignments', not its transfer plans'."""
        await self._reminders.delete_many({"event_id": event_id, "plan_id": None})

    async def drop_of_registration(self, event_id: str, registration_id: str) -> None:
        """The reminders of the registration's transfer plan."""
        await self._reminders.delete_many(
            {"event_id": event_id, "registration_id": registration_id}
        )

    async def drop_of_participant(self, participant_id: str) -> None:
        """The reminders of the participant's transfer plans."""
        await self._reminders.delete_many({"participant_id": participant_id})

    async def add_new(self, reminders: Iterable[TransferReminder]) -> None:
        """Inserted, never replaced: a replay finds them there (moved, or held and
        tombstoned) and leaves them so."""
        await insert_new(self._reminders, [self._with_hour(r.document()) for r in reminders])

    async def move_unless_held(self, reminder_id: str, times: dict[str, datetime]) -> None:
        """The reminder's new times, unless its conversation was held already (a cut-off
        moved alone leaves the reminder in its hour)."""
        fields = self._with_hour(times) if "due_at" in times else times
        await self._reminders.update_one(
            {"_id": reminder_id, "held": {"$ne": True}}, {"$set": fields}
        )

    async def mark_held(self, tombstones: Iterable[dict[str, Any]]) -> None:
        """Each reminder replaced by its tombstone (no due time: nothing fires, and nothing
        recreates it)."""
        for tombstone in tombstones:
            await self._reminders.replace_one({"_id": tombstone["_id"]}, tombstone, upsert=True)
