"""What an event's registrations hold, for the rules on changing its capacity and contingents
(the use cases' ``SeatUsage``)."""

from __future__ import annotations

from dataclasses import dataclass

from samling_events.adapters.store.registration_queries import RegistrationQueries
from samling_events.adapters.store.seat_book import DeskStores, MongoSeatBook


@dataclass(frozen=True)
class StoredSeatUsage:
    stores: DeskStores

    async def highest_taken_seat(self, event_id: str) -> int:
        return await MongoSeatBook(event_id, self.stores).highest()

    async def has_registrations(self, event_id: str) -> bool:
        queries = RegistrationQueries(
            self.stores.registrations, self.stores.roster, self.stores.participants
        )
        return await queries.any_at(event_id)
