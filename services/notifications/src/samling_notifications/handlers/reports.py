"""``samling.network.reports``: who may read each report, and who hears of it."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import ReportPublished, ReportRevised, ReportWithdrawn
from samling_contracts.vocabulary import Visibility

from samling_notifications.adapters.store import audience
from samling_notifications.domain.audience import WebhookAudience, report_subscriptions, union
from samling_notifications.domain.notices import Kind
from samling_notifications.domain.visibility import ReportScope
from samling_notifications.handlers.context import Context


async def published(ctx: Context, fact: ReportPublished | ReportRevised, event: CloudEvent) -> None:
    scope = ReportScope.of(fact)
    # Who could read it, kept for its withdrawal (which carries no visibility).
    await ctx.stores.reports.replace_one(
        {"_id": fact.report_id},
        {
            "municipality_id": scope.municipality_id,
            "region_id": scope.region_id,
            "network_ids": sorted(scope.network_ids),
            "visibility": str(scope.visibility),
        },
        upsert=True,
    )
    wanted = report_subscriptions(fact)
    if not wanted:
        return
    recipients = union(
        *[await audience.subscribers(ctx.stores, target, values) for target, values in wanted]
    )
    kind = Kind.REPORT_PUBLISHED if isinstance(fact, ReportPublished) else Kind.REPORT_REVISED
    await ctx.notify(
        kind, event.id, recipients, {"report_id": fact.report_id}, {"report": fact.title or ""}
    )


async def withdrawn(ctx: Context, fact: ReportWithdrawn, event: CloudEvent) -> None:
    # Digest lines not sent yet about a withdrawn report are dropped.
    await ctx.stores.notifications.update_many(
        {"refs.report_id": fact.report_id, "digest": {"$exists": True}, "status": "queued"},
        {"$set": {"status": "skipped", "digest_at": None}},
    )


async def readers_of_withdrawn(ctx: Context, fact: ReportWithdrawn) -> WebhookAudience:
    """Those who could read the report as last published hear it is gone."""
    known = await ctx.stores.reports.find_one({"_id": fact.report_id})
    if known is None:
        return WebhookAudience()
    scope = ReportScope(
        known["municipality_id"],
        known["region_id"],
        frozenset(known["network_ids"]),
        Visibility(known["visibility"]),
    )
    return WebhookAudience(report=scope)
