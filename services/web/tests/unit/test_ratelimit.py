"""The registration form's token bucket: a burst, then a steady rate, per client."""

from samling_web.ratelimit import TokenBucket


def test_a_client_gets_its_burst_then_waits_for_the_next_token() -> None:
    bucket = TokenBucket(burst=3, per_hour=60)  # one more form a minute after the burst
    assert [bucket.take("192.0.2.1", 0.0) for _ in range(3)] == [0, 0, 0]
    assert bucket.take("192.0.2.1", 0.0) == 60
    assert bucket.take("192.0.2.1", 30.0) == 30  # refused again, half a token back
    assert bucket.take("192.0.2.1", 60.0) == 0
    assert bucket.take("198.51.100.9", 60.0) == 0  # others have their own bucket


def test_an_idle_client_gets_no_more_than_its_burst_back() -> None:
    bucket = TokenBucket(burst=2, per_hour=3600)
    assert [bucket.take("c", 0.0) for _ in range(2)] == [0, 0]
    later = [bucket.take("c", 86_400.0) for _ in range(3)]
    assert later == [0, 0, 1]


def test_memory_stays_bounded_by_forgetting_the_least_recent_clients() -> None:
    bucket = TokenBucket(burst=1, per_hour=1, max_clients=2)
    for client in ("a", "b", "c"):
        assert bucket.take(client, 0.0) == 0
    assert bucket.take("a", 0.0) == 0  # forgotten, so a fresh bucket
    assert bucket.take("c", 0.0) == 3600
