"""Who reads which report: the reader scopes, the visibility filter, its ways as equality
queries and the timeline keys that list every report a way matches (no store needed:
``matches`` evaluates the filters the store is sent)."""

import pytest
from samling_contracts.vocabulary import Visibility
from samling_network.adapters.store.report_queries import (
    REPORT_TIMELINE,
    REPORT_WEEK_TIMELINE,
    readable_by,
    readable_ways,
    search_words,
)
from samling_network.domain import access, reports
from samling_network.domain.access import ReaderScope
from samling_runtime.mongo import Document, matches

from services.network.tests.unit.builders import NOW, a_draft

SALTEN, TRONDELAG = "rkk-salten", "rkk-trondelag"


def report(
    report_id: str,
    municipality_id: str,
    visibility: Visibility,
    *,
    region_id: str = SALTEN,
    network_ids: tuple[str, ...] = (),
    lifecycle: tuple[str, ...] = ("publish",),
) -> Document:
    state = a_draft(
        visibility,
        network_ids,
        report_id=report_id,
        municipality_id=municipality_id,
        region_id=region_id,
        title="Lesevenner på tvers",
    )
    for step in lifecycle:
        change = reports.publish(state, NOW) if step == "publish" else reports.withdraw(state, NOW)
        assert change is not None
        state = change.state
    return state.model_dump(mode="json")


LIBRARY = [
    report("draft", "NO-1804", Visibility.PUBLIC, lifecycle=()),
    report("private", "NO-1804", Visibility.PRIVATE),
    report("region", "NO-1804", Visibility.REGION),
    report("network", "NO-1804", Visibility.NETWORK, network_ids=("net_1",)),
    report("public", "NO-1804", Visibility.PUBLIC),
    report("other-network", "NO-1841", Visibility.NETWORK, network_ids=("net_9",)),
    report("withdrawn", "NO-1841", Visibility.PUBLIC, lifecycle=("publish", "withdraw")),
    report("elsewhere", "NO-5001", Visibility.REGION, region_id=TRONDELAG),
]

SCOPES = {
    "anyone": ReaderScope(),
    "bodo": access.author_scope("NO-1804", SALTEN, frozenset()),
    "fauske-in-net_1": access.author_scope("NO-1841", SALTEN, frozenset({"net_1"})),
    "coordinator-salten": access.region_scope(SALTEN),
    "reader-link-trondelag": access.region_scope(TRONDELAG),
}


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        ("anyone", {"public"}),
        ("bodo", {"draft", "private", "region", "network", "public"}),
        ("fauske-in-net_1", {"region", "network", "public", "other-network", "withdrawn"}),
        ("coordinator-salten", {"region", "network", "public", "other-network"}),
        ("reader-link-trondelag", {"public", "elsewhere"}),
    ],
)
def test_each_reader_sees_exactly_what_visibility_allows(reader: str, expected: set[str]) -> None:
    visible = readable_by(SCOPES[reader])
    assert {doc["id"] for doc in LIBRARY if matches(doc, visible)} == expected


def test_an_author_scope_holds_its_municipality_region_and_networks() -> None:
    scope = access.author_scope("NO-1804", SALTEN, frozenset({"net_1"}))
    assert scope.own_municipality == "NO-1804"
    assert (scope.region_id, scope.network_ids) == (SALTEN, frozenset({"net_1"}))
    assert not scope.all_networks_of_region
    region = access.region_scope(SALTEN)
    assert region.all_networks_of_region
    assert region.own_municipality is None


@pytest.mark.parametrize("reader", sorted(SCOPES))
def test_the_ways_together_find_what_the_filter_finds(reader: str) -> None:
    scope = SCOPES[reader]
    ways = readable_ways(scope)
    for doc in LIBRARY:
        assert any(matches(doc, way.query) for way in ways) == matches(doc, readable_by(scope))


@pytest.mark.parametrize("reader", sorted(SCOPES))
def test_every_report_a_way_finds_is_listed_under_that_ways_key(reader: str) -> None:
    """A page reads a way's buckets from the directory under its key: a report missing the
    key would be in the store and never on a page."""
    for way in readable_ways(SCOPES[reader]):
        for doc in LIBRARY:
            if matches(doc, way.query):
                assert way.key in REPORT_TIMELINE.keys(doc), (way, doc["id"])


def test_narrowed_lists_are_keyed_by_network_municipality_and_word() -> None:
    doc = {**LIBRARY[3], "text": "Lesevenner, på tvers!"}
    keys = set(REPORT_WEEK_TIMELINE.keys(doc))
    assert {"municipality:NO-1804", "network:net_1", "term:lesevenner", "term:på"} <= keys
    assert "region:rkk-salten" not in keys  # a region's list is read by day, never narrowed


def test_search_words_fold_case_and_drop_punctuation_and_repeats() -> None:
    assert search_words("Lesing, LESING og skrive-glede!") == ["lesing", "og", "skrive", "glede"]
    assert search_words("  ") == []
