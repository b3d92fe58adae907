"""Timeline buckets: the same moment always lands in the same bucket, and a page read a
bucket at a time is the page a sort over everything would give."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from samling_runtime.timeline import Timeline, _ordered, _wanted

WEEKS = Timeline("things", "at", days=7, keys=lambda doc: ["all", f"owner:{doc['owner']}"])


def test_a_moment_has_one_bucket_whatever_its_zone() -> None:
    moment = datetime(2027, 1, 4, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert WEEKS.bucket(moment) == WEEKS.bucket(moment.astimezone(UTC))
    assert WEEKS.bucket(moment) == WEEKS.bucket(moment.astimezone(UTC).replace(tzinfo=None))
    week = [WEEKS.bucket(datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=d)) for d in range(7)]
    assert len(set(week)) in (1, 2)  # seven days in a row span at most two buckets
    assert sorted(week) == week  # buckets sort like their moments


def test_a_copy_is_listed_under_each_key_once() -> None:
    doc: dict[str, Any] = {"_id": "t1", "owner": "o1", "at": datetime(2027, 3, 1, tzinfo=UTC)}
    doc.update(WEEKS.fields(doc))
    entries = WEEKS.entries(doc)
    assert [e["key"] for e in entries] == ["things|all", "things|owner:o1"]
    assert len({e["_id"] for e in entries}) == 2
    assert WEEKS.fields({"_id": "t2", "owner": "o1", "at": None}) == {}


def test_after_and_since_keep_what_a_sorted_query_would() -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    moments = [start + timedelta(hours=i // 2) for i in range(10)]
    docs: list[dict[str, Any]] = [{"_id": f"t{i}", "at": m} for i, m in enumerate(moments)]
    after = (moments[3], "t3")
    ascending = [d for d in _ordered(docs, "at", False) if _wanted(d, "at", False, after, None)]
    assert [d["_id"] for d in ascending] == [f"t{i}" for i in range(4, 10)]
    descending = [d for d in _ordered(docs, "at", True) if _wanted(d, "at", True, after, None)]
    assert [d["_id"] for d in descending] == ["t2", "t1", "t0"]
    since = moments[5].replace(tzinfo=None)  # a naive query parameter is UTC
    assert [d["_id"] for d in docs if _wanted(d, "at", False, None, since)] == [
        f"t{i}" for i in range(6, 10)
    ]
