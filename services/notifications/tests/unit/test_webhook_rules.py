"""A webhook endpoint's own rules: what it wants, its secrets across a rotation, disabling and
enabling, and the SSRF guard's answer for each kind of address under each policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from samling_contracts.notifications import WebhookEndpointDisabled, WebhookEndpointEnabled
from samling_notifications.domain import webhooks
from samling_notifications.domain.webhooks import (
    PUBLIC_ONLY,
    Endpoint,
    TargetPolicy,
    UnsafeTarget,
    check_address,
    check_url_shape,
)

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
LOOPBACK = TargetPolicy(loopback=True)
PRIVATE = TargetPolicy(private=True)


def _endpoint(**fields: object) -> Endpoint:
    values: dict[str, object] = {
        "id": "whk_1",
        "owner_id": "NO-1804",
        "url": "https://hooks.bodo.kommune.no/samling",
        "event_types": ["no.samling.events.registration.confirmed"],
        "secret": "whsec_old",
        "created_at": NOW,
        **fields,
    }
    return Endpoint.model_validate(values)


def test_an_endpoint_wants_only_the_types_it_asked_for_and_nothing_while_disabled() -> None:
    wanted = "no.samling.events.registration.confirmed"
    assert _endpoint().wants(wanted)
    assert not _endpoint().wants("no.samling.events.event.scheduled")
    assert not _endpoint(enabled=False).wants(wanted)
    assert not _endpoint(event_types=[]).wants(wanted)


def test_a_rotation_keeps_the_old_secret_signing_for_the_overlap() -> None:
    rotated = webhooks.rotate(_endpoint(), "whsec_new", NOW, HOUR).state
    assert (rotated.secret, rotated.previous_secret, rotated.previous_secret_until) == (
        "whsec_new",
        "whsec_old",
        NOW + HOUR,
    )
    assert rotated.secret_rotated_at == NOW
    document = rotated.model_dump()
    assert webhooks.signing_secrets(document, NOW) == ["whsec_new", "whsec_old"]
    almost = NOW + HOUR - timedelta(microseconds=1)
    assert webhooks.signing_secrets(document, almost) == ["whsec_new", "whsec_old"]
    assert webhooks.signing_secrets(document, NOW + HOUR) == ["whsec_new"]


def test_a_rotation_without_overlap_drops_the_old_secret_at_once() -> None:
    rotated = webhooks.rotate(_endpoint(), "whsec_new", NOW, timedelta(0)).state
    assert (rotated.previous_secret, rotated.previous_secret_until) == (None, None)
    assert webhooks.signing_secrets(rotated.model_dump(), NOW) == ["whsec_new"]


def test_a_second_rotation_within_the_overlap_ends_the_first_ones_old_secret() -> None:
    first = webhooks.rotate(_endpoint(), "whsec_2", NOW, HOUR).state
    second = webhooks.rotate(first, "whsec_3", NOW + timedelta(minutes=5), HOUR).state
    later = NOW + timedelta(minutes=6)
    assert webhooks.signing_secrets(second.model_dump(), later) == ["whsec_3", "whsec_2"]


def test_an_endpoint_stored_without_a_previous_secret_signs_with_its_own() -> None:
    assert webhooks.signing_secrets({"secret": "whsec_1"}, NOW) == ["whsec_1"]
    no_end = {"secret": "whsec_1", "previous_secret": "whsec_0", "previous_secret_until": None}
    assert webhooks.signing_secrets(no_end, NOW) == ["whsec_1"]


def test_disabling_keeps_the_reason_and_tells_the_owner_once() -> None:
    change = webhooks.disable(_endpoint(), "410 Gone", NOW)
    assert change is not None
    state = change.state
    assert (state.enabled, state.disabled_reason, state.disabled_at) == (False, "410 Gone", NOW)
    (fact,) = list(change.facts)
    assert isinstance(fact, WebhookEndpointDisabled)
    assert (fact.endpoint_id, fact.owner_id, fact.reason) == ("whk_1", "NO-1804", "410 Gone")
    assert webhooks.disable(state, "again", NOW) is None


def test_enabling_clears_the_reason_and_tells_the_owner_once() -> None:
    disabled = _endpoint(enabled=False, disabled_reason="410 Gone", disabled_at=NOW)
    change = webhooks.enable(disabled)
    assert change is not None
    assert (change.state.enabled, change.state.disabled_reason, change.state.disabled_at) == (
        True,
        None,
        None,
    )
    (fact,) = list(change.facts)
    assert isinstance(fact, WebhookEndpointEnabled)
    assert (fact.endpoint_id, fact.owner_id) == ("whk_1", "NO-1804")
    assert webhooks.enable(change.state) is None


def test_endpoint_ids_are_of_the_one_scheme_and_unique() -> None:
    made = {webhooks.new_endpoint_id() for _ in range(100)}
    assert len(made) == 100
    assert all(i.startswith("whk_") for i in made)


# -- the SSRF guard, address by address --------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254", "224.0.0.1", "0.0.0.0", "::1"],
)
def test_production_refuses_every_non_public_address(address: str) -> None:
    with pytest.raises(UnsafeTarget, match="is not a public address"):
        check_address(address, PUBLIC_ONLY)


def test_a_public_address_is_called_under_any_policy() -> None:
    for policy in (PUBLIC_ONLY, LOOPBACK, PRIVATE):
        check_address("93.184.215.14", policy)


def test_an_ipv4_address_written_as_ipv6_is_judged_as_itself() -> None:
    with pytest.raises(UnsafeTarget):
        check_address("::ffff:127.0.0.1", PUBLIC_ONLY)
    check_address("::ffff:127.0.0.1", LOOPBACK)
    with pytest.raises(UnsafeTarget):
        check_address("::ffff:10.0.0.1", LOOPBACK)


def test_a_loopback_policy_allows_this_machine_only_and_a_private_one_every_address() -> None:
    check_address("127.0.0.1", LOOPBACK)
    with pytest.raises(UnsafeTarget):
        check_address("192.168.0.1", LOOPBACK)
    for address in ("127.0.0.1", "192.168.0.1", "169.254.169.254"):
        check_address(address, PRIVATE)


@pytest.mark.parametrize(
    ("url", "policy", "host"),
    [
        ("http://localhost:8080/x", LOOPBACK, "localhost"),
        ("https://hooks.localhost/x", LOOPBACK, "hooks.localhost"),
        ("https://127.0.0.1/x", LOOPBACK, "127.0.0.1"),
        ("https://receiver.internal/x", PRIVATE, "receiver.internal"),
        ("https://printer.local/x", PRIVATE, "printer.local"),
    ],
)
def test_a_policy_that_allows_a_local_host_lets_its_url_through(
    url: str, policy: TargetPolicy, host: str
) -> None:
    assert check_url_shape(url, policy) == host


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://receiver.internal/x", "receiver.internal is a private host"),
        ("https://10.0.0.1/x", "10.0.0.1 is not a public address"),
        ("https:///x", "with a host name"),
    ],
)
def test_a_loopback_policy_still_refuses_other_private_targets(url: str, message: str) -> None:
    with pytest.raises(UnsafeTarget, match=message):
        check_url_shape(url, LOOPBACK)


def test_production_asks_for_https() -> None:
    with pytest.raises(UnsafeTarget, match="must use https"):
        check_url_shape("http://hooks.example.no/x", PUBLIC_ONLY)
    assert check_url_shape("http://127.0.0.1:9/x", LOOPBACK) == "127.0.0.1"
