"""A registration as organisers and the participant see it: with the name and e-mail from the
event's roster, and the place on the waiting list."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from pydantic import Field
from samling_runtime.mongo import Document

from samling_events.adapters.store.stores import Stores
from samling_events.domain.registrations import Registration, RegistrationStatus


class RegistrationView(Registration):
    """A registration as organisers and the participant see it (with name and e-mail)."""

    name: str | None = Field(None, description="Absent once anonymised or erased.")
    email: str | None = Field(None, description="Absent once anonymised or erased.")
    waiting_position: int | None = Field(
        None,
        description="Place on the waiting list (1 = next in line) while waitlisted.",
        examples=[None],
    )


async def views(
    stores: Stores, regs: list[Registration], roster: Mapping[str, Document] | None = None
) -> list[RegistrationView]:
    """``roster``: the registrations' roster lines by registration id, when read already; a
    registration without one (written before the roster) is looked up by participant."""
    lines = dict(roster or {})
    people = await stores.registration_queries.contacts(
        [r.participant_id for r in regs if r.id not in lines]
    )
    lines.update({r.id: people.get(r.participant_id, {}) for r in regs if r.id not in lines})
    positions = await waiting_positions(stores, regs)
    return [
        RegistrationView(
            **r.model_dump(),
            name=lines[r.id].get("name"),
            email=lines[r.id].get("email"),
            waiting_position=positions.get(r.id),
        )
        for r in regs
    ]


async def waiting_positions(stores: Stores, regs: list[Registration]) -> dict[str, int]:
    """Where each waitlisted registration stands (1 = next), in the order promotion serves:
    one read of each event's waiting list, however many of its registrations are shown."""
    events = {r.event_id for r in regs if r.status == RegistrationStatus.WAITLISTED}

    lines = await asyncio.gather(*(stores.registration_queries.waiting_line(e) for e in events))
    return {reg_id: n for ids in lines for n, reg_id in enumerate(ids, start=1)}
