"""Events service settings: environment variables prefixed ``SAMLING_EVENTS_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_EVENTS_", extra="ignore")

    mongo_db: str = Field("samling_events", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8002", description="Base URL of this service.")
