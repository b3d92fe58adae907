"""``matches`` selects what the store would for the filters the services' ways are made of
(a list narrowed by one equality checks the reader's visibility with it)."""

import pytest
from samling_runtime.mongo import matches

REPORT = {
    "status": "published",
    "visibility": "network",
    "municipality_id": "NO-1804",
    "network_ids": ["net-a", "net-b"],
    "tags": {"language": "nb"},
}


@pytest.mark.parametrize(
    ("query", "selected"),
    [
        ({}, True),
        ({"status": "published", "visibility": "network"}, True),
        ({"status": "published", "visibility": "public"}, False),
        ({"network_ids": "net-b"}, True),  # an array field: one of its elements
        ({"network_ids": {"$in": ["net-x", "net-a"]}}, True),
        ({"network_ids": {"$in": ["net-x"]}}, False),
        ({"status": {"$ne": "draft"}}, True),
        ({"tags.language": "nb"}, True),
        ({"region_id": "rkk-salten"}, False),  # a missing field equals nothing given
        ({"$or": [{"visibility": "public"}, {"municipality_id": "NO-1804"}]}, True),
        ({"$or": [{"visibility": "public"}, {"municipality_id": "NO-1840"}]}, False),
        ({"$and": [{"status": "published"}, {"network_ids": "net-x"}]}, False),
    ],
)
def test_a_filter_selects_what_the_store_would(query: dict[str, object], selected: bool) -> None:
    assert matches(REPORT, query) is selected


def test_an_operator_it_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\$regex"):
        matches(REPORT, {"title": {"$regex": "x"}})
