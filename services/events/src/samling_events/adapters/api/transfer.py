"""Transfer plans through the two private links: the participant's (``/manage/{token}/
registrations/{registration_id}/transfer``) and the manager's (``/transfer/{token}``).

Both people may read and write the notes, mark a conversation held, and propose, agree to or
withdraw its sharing; the same operations are served under both links. No bearer token opens a
plan: coordinators, administrators and systems have no route to the notes but what both people
chose to share (``transfer_region``).
"""

import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from fastapi import APIRouter, Depends
from pymongo.errors import DuplicateKeyError
from samling_contracts.vocabulary import TransferConversation
from samling_kernel.ids import new_id
from samling_runtime.idempotency import IdempotencyKey
from samling_runtime.problems import Problem, not_found
from samling_runtime.store import AlreadyExists

from samling_events.adapters.api.deps import (
    LinkedRegistration,
    RuntimeDep,
    SettingsDep,
    StoresDep,
    errors,
)
from samling_events.adapters.api.tokens import participant_from_token
from samling_events.adapters.api.transfer_models import (
    HeldView,
    NoteView,
    PlanView,
    SharingView,
    TransferOffer,
    plan_view,
)
from samling_events.adapters.api.transfer_sides import (
    Side,
    manager_side,
    manager_url,
    new_manager_key,
    participant_side,
)
from samling_events.adapters.store.transfer import TransferStore
from samling_events.domain.registrations import RegistrationStatus
from samling_events.domain.transfer import sharing as consent
from samling_events.domain.transfer.notes import NewNote, write_note
from samling_events.domain.transfer.plans import (
    Manager,
    create_plan,
    held_id,
    mark_held,
    offers_transfer,
    plan_id_of,
    rename_manager,
)
from samling_events.domain.transfer.sharing import Audience, ConsentRecord, Sharing

router = APIRouter(tags=["transfer"])

PARTICIPANT = "/manage/{token}/registrations/{registration_id}/transfer"
MANAGER = "/transfer/{token}"


@router.put(
    PARTICIPANT,
    response_model=PlanView,
    responses=errors(404, 409),
    summary="Name my manager: make the transfer plan, or give it another manager",
)
async def name_manager(
    body: Manager,
    reg: LinkedRegistration,
    stores: StoresDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> PlanView:
    """For a confirmed registration at an event with transfer plans. The manager gets a private
    link of their own (TransferManagerNamed on the restricted topic); naming someone else gives
    the plan a new link and the earlier one stops working."""
    event = await stores.events.get(reg.event_id)
    if event is None:
        raise not_found("Event")
    plan_id = plan_id_of(reg.id)
    key = new_manager_key()
    url = manager_url(settings, plan_id, key)
    change = create_plan(
        event.state,
        reg,
        body,
        key=key,
        manager_url=url,
        now=runtime.clock.now(),
        after=timedelta(days=settings.transfer_after_days),
    )
    try:
        plan = (await stores.transfer.plans.create(plan_id, change)).state
    except AlreadyExists:
        renamed = await stores.transfer.plans.update(
            plan_id, lambda p: rename_manager(p, body, key=key, manager_url=url)
        )
        plan = renamed.state
    return await plan_view(stores.transfer, plan, consent.Party.PARTICIPANT)


@router.get(
    "/manage/{token}/transfer",
    response_model=list[TransferOffer],
    responses=errors(404),
    summary="Which of my registrations may have a transfer plan, and which have one",
)
async def my_transfer_plans(
    token: str, stores: StoresDep, settings: SettingsDep
) -> list[TransferOffer]:
    """One line per confirmed registration: whether its event offers transfer plans and the
    plan, if the participant has named a manager (so "my registrations" can link to it)."""
    participant_id = participant_from_token(token, settings.participant_secret.get_secret_value())
    offers = []
    for reg in await stores.registration_queries.of_participant(participant_id):
        event = await stores.events.get(reg.event_id)
        if reg.status != RegistrationStatus.CONFIRMED or event is None:
            continue
        plan = await stores.transfer.plans.get(plan_id_of(reg.id))
        offers.append(
            TransferOffer(
                registration_id=reg.id,
                event_id=reg.event_id,
                offered=offers_transfer(event.state),
                plan_id=plan.id if plan else None,
                manager_name=plan.state.manager_name if plan else None,
            )
        )
    return offers


def _held_opens(
    conversation: TransferConversation, starts_at: datetime, ends_at: datetime
) -> datetime:
    """The conversation during the event can be held once it has begun, the one after once
    it has ended; the one before at any time."""
    return {
        TransferConversation.BEFORE: datetime.min.replace(tzinfo=starts_at.tzinfo),
        TransferConversation.DURING: starts_at,
        TransferConversation.AFTER: ends_at,
    }[conversation]


async def _add_note(
    store: TransferStore,
    side: Side,
    conversation: TransferConversation,
    body: NewNote,
    key: str | None,
    now: datetime,
) -> NoteView:
    """A repeat with the same ``Idempotency-Key`` finds the note it made (the key is part of the
    note's id), so note text is never copied into the idempotency records."""
    note_id = f"{side.plan.id}:{side.party}:{key}" if key else new_id("tno")
    note = write_note(note_id, side.plan.id, conversation, body, side.party, now)
    try:
        await store.add_note(note)
    except DuplicateKeyError:
        earlier = next(n for n in await store.notes_of(side.plan.id) if n.id == note_id)
        if (earlier.conversation, earlier.field, earlier.text) != (
            conversation,
            body.field,
            body.text,
        ):
            raise Problem(
                422, "This Idempotency-Key was used for another note.", kind="validation"
            ) from None
        note = earlier
    return NoteView.of(note)


Decide = Callable[[Sharing, consent.Party], ConsentRecord | None]
Resolve = Callable[..., Awaitable[Side]]
"""``participant_side`` or ``manager_side``: the link's plan, and which of the two is asking."""


async def _consent(
    store: TransferStore,
    side: Side,
    conversation: TransferConversation,
    audience: Audience,
    decide: Decide,
    now: datetime,
) -> SharingView:
    records = await store.consents_of(side.plan.id)
    record = decide(consent.sharing(records, conversation, audience), side.party)
    if record is not None:
        await store.record(side.plan, record, now)
        records.append(record)
    return SharingView.of(consent.sharing(records, conversation, audience))


def _withdraw(state: Sharing, _: consent.Party) -> ConsentRecord:
    return consent.withdraw(state)


CONSENTS: dict[str, tuple[Decide, str]] = {
    "propose": (consent.propose, "Propose to share the conversation (the other must agree)"),
    "agree": (consent.agree, "Agree to share what the other proposed"),
    "withdraw": (_withdraw, "Withdraw consent: the conversation is hidden again at once"),
}


def _operations(prefix: str, resolve: Resolve, whose: str) -> None:
    """The plan's operations under one of the two links."""
    conversation_path = prefix + "/conversations/{conversation}"

    @router.get(
        prefix,
        response_model=PlanView,
        responses=errors(404),
        summary=f"The transfer plan ({whose} link)",
        name=f"transfer_plan_{whose}",
    )
    async def read(stores: StoresDep, side: Side = Depends(resolve)) -> PlanView:
        """The three conversations with their forms, notes, held marks and sharing."""
        return await plan_view(stores.transfer, side.plan, side.party)

    @router.post(
        conversation_path + "/notes",
        status_code=201,
        response_model=NoteView,
        responses=errors(404),
        summary=f"Write a note ({whose} link)",
        name=f"transfer_note_{whose}",
    )
    async def note(
        conversation: TransferConversation,
        body: NewNote,
        stores: StoresDep,
        runtime: RuntimeDep,
        side: Side = Depends(resolve),
        idempotency_key: IdempotencyKey = None,
    ) -> NoteView:
        return await _add_note(
            stores.transfer, side, conversation, body, idempotency_key, runtime.clock.now()
        )

    @router.post(
        conversation_path + "/held",
        response_model=HeldView,
        responses=errors(404, 409),
        summary=f"Mark the conversation held ({whose} link)",
        name=f"transfer_held_{whose}",
    )
    async def held(
        conversation: TransferConversation,
        stores: StoresDep,
        runtime: RuntimeDep,
        side: Side = Depends(resolve),
    ) -> HeldView:
        """Once per conversation (TransferConversationHeld, ids only); a repeat answers the
        first mark."""
        event = await stores.events.require(side.plan.event_id)
        now = runtime.clock.now()
        if now < _held_opens(conversation, event.state.starts_at, event.state.ends_at):
            raise Problem(409, f"The {conversation} conversation is not due yet.", kind="conflict")
        store = stores.transfer
        with contextlib.suppress(AlreadyExists):
            await store.held.create(
                held_id(side.plan.id, conversation),
                mark_held(side.plan, conversation, side.party, now),
            )
        # By id from the revisions (the truth): a concurrent first mark may not have written
        # its listed copy yet when this request's own insert found it there.
        found = await store.held.get(held_id(side.plan.id, conversation))
        if found is None:
            raise not_found("Held mark")
        return HeldView(by=found.state.by, at=found.state.at)

    for action, (decide, summary) in CONSENTS.items():
        _consent_route(conversation_path, resolve, whose, action, decide, summary)


def _consent_route(
    conversation_path: str, resolve: Resolve, whose: str, action: str, decide: Decide, summary: str
) -> None:
    @router.post(
        conversation_path + "/sharing/{audience}/" + action,
        response_model=SharingView,
        responses=errors(404, 409),
        summary=f"{summary} ({whose} link)",
        name=f"transfer_{action}_{whose}",
    )
    async def consent_action(
        conversation: TransferConversation,
        audience: Audience,
        stores: StoresDep,
        runtime: RuntimeDep,
        side: Side = Depends(resolve),
    ) -> SharingView:
        return await _consent(
            stores.transfer, side, conversation, audience, decide, runtime.clock.now()
        )


_operations(PARTICIPANT, participant_side, "participant")
_operations(MANAGER, manager_side, "manager")
