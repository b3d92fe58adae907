"""One e-mail as bytes: its words from a cached prototype, its links, unsubscribe URL,
calendar file and digest lines.

A prototype is rendered once per (event, params, kind, language, ...) and filled in per
person: a hundred confirmations of one event's registrations share one prototype instead of
rendering one each.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from samling_notifications.adapters.email import prototype
from samling_notifications.adapters.email.compose import MANAGE_KINDS
from samling_notifications.adapters.email.ics import event_ics
from samling_notifications.adapters.email.links import MailLinks, restricted
from samling_notifications.adapters.email.render import render, resolved_language
from samling_notifications.adapters.email.smtp import PermanentFailure
from samling_notifications.adapters.store.notices import with_event
from samling_notifications.adapters.store.stores import Stores
from samling_notifications.domain.notices import Kind
from samling_notifications.settings import NotificationsSettings
from samling_runtime.clock import Clock
from samling_runtime.mongo import Document, find_by_ids

PROTOTYPES = 256


class MessageBuilder:
    def __init__(self, stores: Stores, settings: NotificationsSettings, clock: Clock) -> None:
        self.stores = stores
        self.settings = settings
        self.clock = clock
        self.links = MailLinks(settings)
        self._prototypes: OrderedDict[tuple[Any, ...], prototype.Prototype | None] = OrderedDict()
        self._ics: dict[tuple[str, int, bool], bytes] = {}
        self._reports: OrderedDict[str, Document | None] = OrderedDict()

    async def message(
        self, notice: Document, recipient: Document, event: Document | None, chosen: str | None
    ) -> bytes:
        kind = Kind(notice["kind"])
        language = resolved_language(chosen or recipient.get("language"))
        unsubscribe = not kind.about_own_registration
        manage = recipient.get("manage_url") if kind in MANAGE_KINDS else None
        # A transfer plan's mail is one person's: its link and words depend on who they are.
        person_kind = recipient.get("type") if kind.about_transfer_plan else None
        name = recipient.get("name") or ""
        ics = self._calendar(event) if kind.attaches_calendar and event else None
        report_id = notice["refs"].get("report_id")
        report = await self._report(notice["source_event_id"], report_id) if report_id else None
        members_only = bool(report_id) and restricted(report)
        key: tuple[Any, ...] = (
            # What the words depend on (not the fact's id): a hundred confirmations of one
            # event's registrations share one prototype instead of rendering one each.
            notice["refs"].get("event_id"),
            json.dumps(notice.get("params") or {}, sort_keys=True, default=str),
            notice["kind"],
            language,
            bool(name.strip()),
            bool(manage),
            None if event is None else (event.get("sequence"), event.get("cancelled")),
            members_only,
            person_kind,
            notice["refs"].get("registration_id") if person_kind else None,
        )
        if kind is Kind.DIGEST:
            key = (notice["_id"], *key)  # its lines are the recipient's own
        proto = self._prototypes.get(key)
        if key not in self._prototypes:
            items = await self._digest_items(notice, language) if kind is Kind.DIGEST else None
            proto = prototype.build(
                with_event(notice, event),  # queued before its event was known: fill it in
                items=items,
                language=language,
                links={"page_url": self.links.page(notice)},
                sender=self.settings.smtp_from,
                ics=ics,
                with_name=bool(name.strip()),
                with_manage=bool(manage),
                unsubscribe=unsubscribe,
                with_reader=members_only,
                recipient_type=person_kind,
            )
            self._prototypes[key] = proto
            while len(self._prototypes) > PROTOTYPES:
                self._prototypes.popitem(last=False)
        if proto is None:
            raise PermanentFailure("the notice has a line too long for e-mail")
        rid, now = notice["recipient_id"], self.clock.now()
        person = prototype.Personal(
            notification_id=notice["_id"],
            name=name,
            address=recipient["email"],
            preferences_url=self.links.preferences(rid) if unsubscribe else None,
            manage_url=manage,
            unsubscribe_url=self.links.one_click(rid) if unsubscribe else None,
            reader_token=self.links.reader(report_id, rid, report or {}, now)
            if members_only
            else None,
        )
        return proto.message_for(person, now)

    async def _report(self, source_event_id: str, report_id: str) -> Document | None:
        """Who may read the report (kept by the report handler), once per fact: a fan-out
        does not look it up for every recipient."""
        if source_event_id not in self._reports:
            found = await self.stores.reports.find_one({"_id": report_id})
            self._reports[source_event_id] = found
            while len(self._reports) > PROTOTYPES:
                self._reports.popitem(last=False)
        return self._reports[source_event_id]

    def _calendar(self, event: Document) -> bytes:
        key = (event["_id"], int(event.get("sequence", 0)), bool(event.get("cancelled")))
        if key not in self._ics:
            self._ics[key] = event_ics(
                event_id=event["_id"],
                title=event["title"],
                starts_at=event["starts_at"],
                ends_at=event["ends_at"],
                sequence=key[1],
                stamp=self.clock.now(),
                timezone=event.get("timezone"),
                venue=event.get("venue"),
                online_url=event.get("online_url"),
                cancelled=key[2],
            )
        return self._ics[key]

    async def _digest_items(self, notice: Document, language: str) -> list[str]:
        ids = notice["params"].get("item_ids", [])
        lines = []
        for item in (await find_by_ids(self.stores.notifications, ids)).values():
            context = {"items": [], **(item.get("params") or {})}
            context.setdefault("report", item.get("params", {}).get("report", ""))
            lines.append(render(item["kind"], language, _defaults(context)).subject)
        return lines


def _defaults(context: dict[str, Any]) -> dict[str, Any]:
    for key in ("title", "network", "headline", "report", "task", "due", "previous", "position"):
        context.setdefault(key, "")
    return context
