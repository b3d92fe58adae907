"""Events service settings: environment variables prefixed ``SAMLING_EVENTS_``."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import DEVELOPMENT_SECRET, ServiceSettings


class EventsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_EVENTS_", extra="ignore")

    mongo_db: str = Field("samling_events", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8002", description="Base URL of this service.")
    app_url: str = Field(
        "http://127.0.0.1:8000",
        description="Base URL of the web app, where participants' private links "
        "(`{app_url}/r/{token}`) open.",
    )
    participant_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key for pseudonymous participant ids and the private self-service links.",
    )
    sweep_interval_seconds: float = Field(
        30.0,
        description="How often offers expire, released contingents are filled, assignments "
        "fall due and old registrations are anonymised.",
    )
    anonymise_after_days: int = Field(
        90, ge=0, description="Registrations lose their personal data this long after the event."
    )
    transfer_after_days: int = Field(
        30,
        ge=0,
        le=365,
        description="How long after an event ends its transfer plans' last conversation (the "
        "one looking back) falls due.",
    )
