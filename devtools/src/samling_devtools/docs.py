"""Generated parts of the documentation: ``python -m samling_devtools.docs [--check]``."""

from __future__ import annotations

from samling_runtime.settings import ServiceSettings


def service_settings() -> dict[str, type[ServiceSettings]]:
    """The settings class of each service (imported here only: devtools, not a service)."""
    from samling_events.settings import EventsSettings
    from samling_network.settings import NetworkSettings
    from samling_notifications.settings import NotificationsSettings

    return {
        "network": NetworkSettings,
        "events": EventsSettings,
        "notifications": NotificationsSettings,
    }
