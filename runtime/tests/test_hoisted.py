"""``hoisted``: the same filter, with its equalities where FerretDB v1 can push them down."""

from samling_runtime.mongo import hoisted


def test_the_conditions_of_an_and_move_to_the_top_level() -> None:
    query = {"$and": [{"network_id": "n1"}, {"$or": [{"a": 1}, {"b": 2}]}, {"status": "x"}]}
    assert hoisted(query) == {
        "network_id": "n1",
        "status": "x",
        "$and": [{"$or": [{"a": 1}, {"b": 2}]}],
    }


def test_a_field_named_twice_keeps_both_conditions() -> None:
    query = {"starts_at": {"$gt": 1}, "$and": [{"starts_at": {"$lt": 9}}, {"_id": "e1"}]}
    assert hoisted(query) == {
        "starts_at": {"$gt": 1},
        "_id": "e1",
        "$and": [{"starts_at": {"$lt": 9}}],
    }


def test_a_one_way_or_is_an_and() -> None:
    assert hoisted({"$or": [{"subscriber_id": "u1", "subscriber_type": "user"}]}) == {
        "subscriber_id": "u1",
        "subscriber_type": "user",
    }


def test_nested_ands_flatten_and_a_plain_filter_stays_as_it_is() -> None:
    assert hoisted({"$and": [{"$and": [{"a": 1}]}, {"b": 2}]}) == {"a": 1, "b": 2}
    assert hoisted({"a": 1, "$or": [{"b": 2}, {"c": 3}]}) == {"a": 1, "$or": [{"b": 2}, {"c": 3}]}
