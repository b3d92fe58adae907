"""A cursor comes from the caller: only a plain sort value may reach the query filter."""

import base64
import json
from typing import Any

import pytest
from samling_runtime.pagination import after_cursor
from samling_runtime.problems import Problem


def made_up(raw: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", [{"$where": "1"}, {"$ne": None}, [1, 2], None, True], ids=repr)
def test_a_cursor_holding_anything_but_a_plain_value_is_400(value: Any) -> None:
    with pytest.raises(Problem) as refused:
        after_cursor("starts_at", made_up({"v": value, "id": "evt_1"}))
    assert refused.value.status == 400


@pytest.mark.parametrize("value", ["net_01", 7, 2.5])
def test_plain_cursor_values_still_page(value: Any) -> None:
    assert after_cursor("key", made_up({"v": value, "id": "x"}))["$or"][1] == {
        "key": value,
        "_id": {"$gt": "x"},
    }
