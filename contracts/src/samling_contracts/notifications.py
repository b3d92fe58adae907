"""Facts published by the notifications service."""

from pydantic import Field

from samling_contracts.facts import Fact, fact
from samling_contracts.topics import DELIVERIES, WEBHOOKS
from samling_contracts.vocabulary import Channel


class _DeliveryFact(Fact):
    notification_id: str = Field(
        description="Notification id; for a webhook delivery its webhook-id.",
        examples=["ntf_01JD4C"],
    )
    recipient_id: str = Field(
        description="Pseudonymous recipient id (participant, contact or user id); for a "
        "webhook delivery the endpoint id.",
        examples=["par_7f3c9a"],
    )
    channel: Channel = Field(description="Channel.", examples=["email"])
    kind: str = Field(
        description="Notice kind; for a webhook delivery the type of the fact delivered.",
        examples=["registration.confirmed"],
    )
    source_event_id: str = Field(
        description="Id of the fact that caused the notice.",
        examples=["0b5e2c1e-8d2f-4d7e-9a51-1c1d8f0e3a77"],
    )


@fact("no.samling.notifications.notification.sent.v1", topic=DELIVERIES, key="notification_id")
class NotificationSent(_DeliveryFact):
    pass


@fact("no.samling.notifications.notification.failed.v1", topic=DELIVERIES, key="notification_id")
class NotificationFailed(_DeliveryFact):
    reason: str = Field(description="Why it failed.", examples=["550 mailbox unavailable"])


@fact("no.samling.notifications.webhook.disabled.v1", topic=WEBHOOKS, key="endpoint_id")
class WebhookEndpointDisabled(Fact):
    endpoint_id: str = Field(description="Endpoint id.", examples=["whk_01JD4D"])
    owner_id: str = Field(description="Owning municipality or system client.", examples=["NO-1804"])
    reason: str = Field(description="Why it was disabled.", examples=["410 Gone"])


@fact("no.samling.notifications.webhook.enabled.v1", topic=WEBHOOKS, key="endpoint_id")
class WebhookEndpointEnabled(Fact):
    """Webhook enabled again by its owner."""

    endpoint_id: str = Field(description="Endpoint id.", examples=["whk_01JD4D"])
    owner_id: str = Field(description="Owning municipality or system client.", examples=["NO-1804"])
