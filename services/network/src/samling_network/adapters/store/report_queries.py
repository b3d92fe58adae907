"""How reports are found: the visibility filter, its ways as equality queries, the timelines
that list them a bucket at a time, and the indexes those queries use (docs/store-rule.md)."""

import asyncio
import re

from pymongo import ASCENDING, IndexModel
from samling_contracts.vocabulary import Visibility
from samling_runtime.mongo import Document
from samling_runtime.store import AggregateStore
from samling_runtime.timeline import Timeline, TimelineIndex, Way

from samling_network.domain.access import ReaderScope
from samling_network.domain.reports import Report, ReportStatus


def readable_by(scope: ReaderScope) -> Document:
    """The filter of reports a reader may see: visibility enforced by the query itself."""
    published = ReportStatus.PUBLISHED.value
    ways: list[Document] = [{"status": published, "visibility": Visibility.PUBLIC.value}]
    if scope.own_municipality:
        ways.append({"municipality_id": scope.own_municipality})
    if scope.region_id:
        ways.append(
            {
                "status": published,
                "visibility": Visibility.REGION.value,
                "region_id": scope.region_id,
            }
        )
        if scope.all_networks_of_region:
            ways.append(
                {
                    "status": published,
                    "visibility": Visibility.NETWORK.value,
                    "region_id": scope.region_id,
                }
            )
    if scope.network_ids:
        ways.append(
            {
                "status": published,
                "visibility": Visibility.NETWORK.value,
                "network_ids": {"$in": sorted(scope.network_ids)},
            }
        )
    return {"$or": ways}


def report_keys(doc: Document) -> list[str]:
    """Every way of ``readable_by`` that may match the report, as timeline keys (its
    visibility and networks may change: each write adds the keys it has then)."""
    keys = [f"municipality:{doc['municipality_id']}", f"region:{doc['region_id']}"]
    if doc.get("visibility") == Visibility.PUBLIC.value:
        keys.append("public")
    keys += [f"network:{n}" for n in doc.get("network_ids", [])]
    return keys


def search_words(text: str) -> list[str]:
    """The words of a text as search finds them: case folded, split at all but letters and
    digits."""
    return list(dict.fromkeys(re.findall(r"\w+", text.casefold())))


def term_keys(doc: Document) -> list[str]:
    return [f"term:{word}" for word in search_words(doc.get("text", ""))]


def narrow_report_keys(doc: Document) -> list[str]:
    """The keys of lists narrowed to a few reports a week: a network's, a municipality's, a
    word's."""
    networks = [f"network:{n}" for n in doc.get("network_ids", [])]
    return [f"municipality:{doc['municipality_id']}", *networks, *term_keys(doc)]


#: The report list, newest first, a day of reports per query.
REPORT_TIMELINE = Timeline(
    "reports", "created_at", days=1, keys=lambda doc: report_keys(doc) + term_keys(doc)
)
#: Lists narrowed to a network, a municipality or a rare word, a week per query: in day
#: buckets a page of them would cost a query for each of many days.
REPORT_WEEK_TIMELINE = Timeline(
    "reports_by_week",
    "created_at",
    days=7,
    keys=narrow_report_keys,
    derived=lambda doc: {"_terms": search_words(doc.get("text", ""))},
)
#: A word on more days than this many per week it is found in is read a day at a time.
DENSE_WORD_DAYS = 4


def readable_ways(scope: ReaderScope) -> list[Way]:
    """``readable_by`` as equality queries, one per way, each with the timeline key that
    lists every report it matches (lists narrowed by a filter of the caller's: ``narrowed``)."""
    published = ReportStatus.PUBLISHED.value
    ways: list[Way] = [Way({"status": published, "visibility": Visibility.PUBLIC.value}, "public")]
    if scope.own_municipality:
        own = scope.own_municipality
        ways.append(Way({"municipality_id": own}, f"municipality:{own}"))
    if scope.region_id:
        region = f"region:{scope.region_id}"
        shared = [Visibility.REGION.value]
        if scope.all_networks_of_region:
            shared.append(Visibility.NETWORK.value)
        for visibility in shared:
            query = {"status": published, "visibility": visibility, "region_id": scope.region_id}
            ways.append(Way(query, region))
    for network_id in sorted(scope.network_ids):
        query = {
            "status": published,
            "visibility": Visibility.NETWORK.value,
            "network_ids": network_id,
        }
        ways.append(Way(query, f"network:{network_id}"))
    return ways


def report_page_indexes() -> list[IndexModel]:
    """Every way of ``readable_ways`` within a day's bucket, and of ``narrowed`` within its."""
    day, week = REPORT_TIMELINE.bucket_field, REPORT_WEEK_TIMELINE.bucket_field
    return [
        IndexModel([(day, ASCENDING), ("status", ASCENDING), ("visibility", ASCENDING)]),
        IndexModel([("municipality_id", ASCENDING), (day, ASCENDING)]),
        IndexModel([("region_id", ASCENDING), (day, ASCENDING)]),
        IndexModel([("network_ids", ASCENDING), (day, ASCENDING)]),
        IndexModel([("_terms", ASCENDING), (day, ASCENDING)]),
        IndexModel([("municipality_id", ASCENDING), (week, ASCENDING)]),
        IndexModel([("network_ids", ASCENDING), (week, ASCENDING)]),
        IndexModel([("_terms", ASCENDING), (week, ASCENDING)]),
    ]


async def narrowed(
    reports: AggregateStore[Report],
    words: list[str],
    network_id: str | None,
    municipality_id: str | None,
) -> tuple[TimelineIndex, Way] | None:
    """A list narrowed to a network, a municipality or words as one equality query per bucket
    (whoever reads: the caller's visibility is checked on the few reports it finds), in the
    buckets that suit how many reports a bucket holds; None when nothing narrows it."""
    query: Document = {}
    key = ""
    if network_id:
        query["network_ids"], key = network_id, f"network:{network_id}"
    if municipality_id:
        query["municipality_id"], key = municipality_id, f"municipality:{municipality_id}"
    weeks = reports.timelines[REPORT_WEEK_TIMELINE.name]
    if words:
        word = max(words, key=len)  # the longest is likely the rarest
        query["_terms"], key = word, f"term:{word}"
        days = reports.timelines[REPORT_TIMELINE.name]
        in_days, in_weeks = await asyncio.gather(days.buckets(key), weeks.buckets(key))
        if len(in_days) > DENSE_WORD_DAYS * len(in_weeks):
            return days, Way(query, key)
    return (weeks, Way(query, key)) if query else None


def text_filter(query: str) -> Document:
    """Case-insensitive search in title and body (FerretDB has no text index)."""
    return {"text": {"$regex": re.escape(query.strip()), "$options": "i"}}
