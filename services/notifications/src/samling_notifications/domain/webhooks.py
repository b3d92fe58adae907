"""Webhook endpoints: what they want, when they are retried, when they are given up. Pure."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field
from samling_contracts.notifications import WebhookEndpointDisabled, WebhookEndpointEnabled
from samling_kernel.decisions import Change
from samling_kernel.ids import new_id

MAX_ATTEMPTS = 12
"""Backoff base 30 s doubling to a 4 h cap: the last retry is about 20 h after the first try."""


class Endpoint(BaseModel):
    id: str
    owner_id: str = Field(description="Municipality id or system client id that owns it.")
    owner_type: Literal["municipality", "system"] = Field(
        "municipality",
        description="Whose it is; decides which facts it is sent. Endpoints stored before "
        "this field existed count as a municipality's, the narrower view.",
    )
    url: str
    event_types: list[str] = Field(description="CloudEvent types it wants; empty = none.")
    secret: str = Field(description="whsec_… signing secret (shown once to the owner).")
    previous_secret: str | None = Field(
        None,
        description="The secret before the last rotation, still signing until "
        "``previous_secret_until`` so receivers can switch without missing a delivery.",
    )
    previous_secret_until: datetime | None = None
    secret_rotated_at: datetime | None = None
    enabled: bool = True
    disabled_reason: str | None = None
    disabled_at: datetime | None = None
    created_at: datetime

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in self.event_types


def rotate(endpoint: Endpoint, secret: str, now: datetime, overlap: timedelta) -> Change[Endpoint]:
    """A new signing secret. For ``overlap`` the old one signs too (Standard Webhooks sends
    several signatures in one header), so a receiver that has not switched yet still verifies;
    a zero overlap drops it at once (a leaked secret). Only the secret just replaced is kept:
    a second rotation within the overlap ends the first one's old secret."""
    keep = overlap > timedelta(0)
    return Change(
        endpoint.model_copy(
            update={
                "secret": secret,
                "previous_secret": endpoint.secret if keep else None,
                "previous_secret_until": now + overlap if keep else None,
                "secret_rotated_at": now,
            }
        )
    )


def signing_secrets(endpoint: Mapping[str, Any], now: datetime) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and the previous one while
    its overlap lasts."""
    secrets_now = [str(endpoint["secret"])]
    previous, until = endpoint.get("previous_secret"), endpoint.get("previous_secret_until")
    if previous and until is not None and now < until:
        secrets_now.append(str(previous))
    return secrets_now


def enable(endpoint: Endpoint) -> Change[Endpoint] | None:
    """Enabled again by its owner: the next fact it wants is sent to it. Deliveries that failed
    or were skipped while it was disabled stay as they are (the owner replays those they want),
    and facts published while it was disabled were never queued for it."""
    if endpoint.enabled:
        return None
    return Change(
        endpoint.model_copy(update={"enabled": True, "disabled_reason": None, "disabled_at": None}),
        [WebhookEndpointEnabled(endpoint_id=endpoint.id, owner_id=endpoint.owner_id)],
    )


def disable(endpoint: Endpoint, reason: str, now: datetime) -> Change[Endpoint] | None:
    if not endpoint.enabled:
        return None
    return Change(
        endpoint.model_copy(
            update={"enabled": False, "disabled_reason": reason, "disabled_at": now}
        ),
        [
            WebhookEndpointDisabled(
                endpoint_id=endpoint.id, owner_id=endpoint.owner_id, reason=reason
            )
        ],
    )


class UnsafeTarget(ValueError):
    """A URL the service must not call (SSRF guard)."""


@dataclass(frozen=True)
class TargetPolicy:
    """Which non-public webhook targets may be called. Production allows none."""

    loopback: bool = False
    """This machine (127.0.0.0/8, ::1, localhost): a developer's own receiver."""
    private: bool = False
    """Every non-public address (private, link-local, ...), loopback included."""

    @property
    def local(self) -> bool:
        return self.loopback or self.private


PUBLIC_ONLY = TargetPolicy()


def check_url_shape(url: str, policy: TargetPolicy) -> str:
    """The URL's host, after the checks that need no DNS: scheme, no credentials, literal IPs."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.hostname:
        raise UnsafeTarget("Use an http(s) URL with a host name.")
    if parsed.scheme == "http" and not policy.local:
        raise UnsafeTarget("Webhook URLs must use https.")
    if parsed.username or parsed.password:
        raise UnsafeTarget("Webhook URLs may not carry credentials.")
    host = parsed.hostname
    loopback_name = host == "localhost" or host.endswith(".localhost")
    private_name = host.endswith((".internal", ".local"))
    if (loopback_name and not policy.local) or (private_name and not policy.private):
        raise UnsafeTarget(f"{host} is a private host.")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host  # a name: what it resolves to is checked when connecting
    check_address(host, policy)
    return host


def check_address(address: str, policy: TargetPolicy) -> None:
    """Refuse loopback, private, link-local, multicast, reserved and unspecified addresses,
    unless the policy allows them."""
    ip = ipaddress.ip_address(address)  # ValueError when it is a name, not an address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if policy.private or (policy.loopback and ip.is_loopback):
        return
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        raise UnsafeTarget(f"{address} is not a public address.")


def new_endpoint_id() -> str:
    return new_id("whk")
