"""Notifications service settings: environment variables prefixed ``SAMLING_NOTIFICATIONS_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_NOTIFICATIONS_", extra="ignore")

    mongo_db: str = Field("samling_notifications", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8003", description="Base URL of this service.")
