"""``samling.network.reports``: who may read each report, and who hears of it."""

from __future__ import annotations

from samling_contracts import CloudEvent
from samling_contracts.network import ReportPublished, ReportRevised, ReportWithdrawn

from samling_notifications.adapters.store import audience
from samling_notifications.domain.audience import WebhookAudience, report_subscriptions, union
from samling_notifications.domain.notices import Kind
from samling_notifications.domain.visibility import ReportScope
from samling_notifications.handlers.context import Context


async def published(ctx: Context, fact: ReportPublished | ReportRevised, event: CloudEvent) -> None:
    # Who could read it, kept for its withdrawal (which carries no visibility).
    await ctx.stores.network_views.keep_report_scope(fact.report_id, ReportScope.of(fact))
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
    await ctx.stores.notice_log.skip_digest_lines_about(fact.report_id)


async def readers_of_withdrawn(ctx: Context, fact: ReportWithdrawn) -> WebhookAudience:
    """Those who could read the report as last published hear it is gone."""
    return WebhookAudience(report=await ctx.stores.network_views.report_scope(fact.report_id))
