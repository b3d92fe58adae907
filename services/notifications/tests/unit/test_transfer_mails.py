"""The transfer plan's mails as the builder makes them: each person's own link to the plan
(the participant's page under their private link, the manager's own link), in their language,
with no unsubscribe link; and the same words as a mail rendered for that person from scratch."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

import pytest
from samling_notifications.adapters.email.builder import MessageBuilder
from samling_notifications.adapters.email.compose import render_notice
from samling_notifications.settings import NotificationsSettings
from samling_runtime.clock import ManualClock

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
EVENT = {"_id": "evt_1", "title": "Kurs i veiledning", "starts_at": "2027-02-10T08:00:00+00:00",
         "ends_at": "2027-02-11T14:00:00+00:00", "timezone": "Europe/Oslo"}  # fmt: skip
KARI = {"_id": "par_1", "type": "participant", "name": "Kari Nordmann",
        "email": "kari@bodo.kommune.no", "language": "nn",
        "manage_url": "https://samling.test/r/kari-token"}  # fmt: skip
OLA = {"_id": "mgr_trp_reg_1", "type": "manager", "name": "Ola Leder",
       "email": "ola@bodo.kommune.no", "language": "sv",
       "manage_url": "https://samling.test/t/ola-token"}  # fmt: skip
REFS = {"event_id": "evt_1", "plan_id": "trp_reg_1", "registration_id": "reg_1"}


def notice(kind: str, recipient: dict[str, Any], **params: Any) -> dict[str, Any]:
    details = {k: v for k, v in EVENT.items() if k != "_id"}
    return {
        "_id": f"ntf_{recipient['_id']}",
        "kind": kind,
        "recipient_id": recipient["_id"],
        "source_event_id": "fact-1",
        "refs": {**REFS, "conversation": params.get("conversation", "")},
        "params": {**details, "participant": "Kari Nordmann", **params},
    }


async def built(doc: dict[str, Any], recipient: dict[str, Any]) -> EmailMessage:
    settings = NotificationsSettings(app_url="https://samling.test/")
    builder = MessageBuilder(cast(Any, None), settings, ManualClock(NOW))
    data = await builder.message(doc, recipient, EVENT, None)
    message: EmailMessage = message_from_bytes(data, policy=policy.default)
    return message


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def test_the_participants_reminder_opens_her_plan_under_her_private_link() -> None:
    message = await built(notice("transfer.reminder", KARI, conversation="after"), KARI)
    text = text_of(message)
    assert message["Subject"] == "Påminning: samtalen etter «Kurs i veiledning»"
    assert "med leiaren din" in text
    assert "Opne planen: https://samling.test/r/kari-token/transfer/reg_1" in text
    assert str(message["Content-Language"]) == "nn"
    assert message["List-Unsubscribe"] is None


async def test_the_managers_reminder_opens_the_plan_with_his_own_link() -> None:
    message = await built(notice("transfer.reminder", OLA, conversation="during"), OLA)
    text = text_of(message)
    assert message["Subject"] == "Påminnelse: samtalet under ”Kurs i veiledning”"
    assert "med Kari Nordmann" in text
    assert "Öppna planen: https://samling.test/t/ola-token\r\n" in text
    assert "/transfer/" not in text
    assert "https://samling.test/events/evt_1" in text  # the event's page, as every notice


async def test_the_named_manager_learns_whose_manager_for_which_event() -> None:
    message = await built(notice("transfer.manager_named", OLA), OLA)
    text = text_of(message)
    assert message["Subject"] == "Transferplan: Kurs i veiledning"
    assert "Kari Nordmann har angett dig som sin chef för ”Kurs i veiledning”" in text
    assert "Öppna planen: https://samling.test/t/ola-token" in text


@pytest.mark.parametrize("recipient", [KARI, OLA], ids=["participant", "manager"])
async def test_a_built_transfer_mail_reads_as_one_rendered_for_the_person(
    recipient: dict[str, Any],
) -> None:
    doc = notice("transfer.reminder", recipient, conversation="before")
    message = await built(doc, recipient)
    language = str(recipient["language"])
    links: dict[str, str | None] = {"page_url": "https://samling.test/events/evt_1"}
    reference = render_notice(
        doc, recipient=recipient, language=language, links=links, has_calendar=False
    )
    assert message["Subject"] == reference.subject
    assert text_of(message).replace("\r\n", "\n").strip() == reference.text.strip()


async def test_a_manager_named_by_an_older_fact_without_its_event_still_gets_a_plain_mail() -> None:
    doc = {
        "_id": "ntf_old",
        "kind": "transfer.manager_named",
        "recipient_id": OLA["_id"],
        "source_event_id": "fact-0",
        "refs": {"plan_id": "trp_reg_1"},
        "params": {"participant": "Kari Nordmann"},
    }
    settings = NotificationsSettings(app_url="https://samling.test/")
    builder = MessageBuilder(cast(Any, None), settings, ManualClock(NOW))
    data = await builder.message(doc, {**OLA, "language": "en"}, None, None)
    message: EmailMessage = message_from_bytes(data, policy=policy.default)
    assert message["Subject"] == "Transfer plan"
    text = text_of(message)
    assert "Kari Nordmann named you as their manager. You have three" in text
    assert "Open the plan: https://samling.test/t/ola-token" in text
