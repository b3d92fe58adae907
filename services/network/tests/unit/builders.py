"""Reports for the unit tests, written by Bodø in RKK Salten unless told otherwise."""

from collections.abc import Sequence
from datetime import UTC, datetime

from samling_contracts.network import ReportTags
from samling_contracts.vocabulary import Language, Visibility
from samling_network.domain import reports

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def a_draft(
    visibility: Visibility = Visibility.REGION,
    network_ids: Sequence[str] = (),
    *,
    report_id: str = "rep_1",
    municipality_id: str = "NO-1804",
    region_id: str = "rkk-salten",
    title: str = "Lesevenner",
    now: datetime = NOW,
) -> reports.Report:
    return reports.draft(
        report_id,
        municipality_id,
        region_id,
        "u-1",
        title,
        reports.Smtte(context="Lesing i Bodø"),
        ReportTags(language=Language.NB),
        list(network_ids),
        visibility,
        now,
    ).state
