"""Settings every service shares, read from environment variables with a per-service prefix.

A service subclasses :class:`ServiceSettings` and sets ``env_prefix`` (``SAMLING_NETWORK_`` …).
Placeholder secrets are refused outside development and test, so a production deploy cannot
start with the development signing key.
"""

from enum import StrEnum
from typing import Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET = "dev-only-insecure-secret-change-me"  # noqa: S105 - the placeholder itself
PLACEHOLDER_MARKERS = ("change-me", "changeme", "dev-only", "placeholder")


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_", extra="ignore")

    environment: Environment = Field(
        Environment.DEVELOPMENT, description="development, test or production."
    )
    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers.")
    mongo_url: str = Field("mongodb://127.0.0.1:27017", description="MongoDB connection URL.")
    mongo_db: str = Field("samling", description="Database name (one per service).")
    public_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL users reach this service on."
    )
    otlp_endpoint: str | None = Field(
        None, description="OTLP/HTTP endpoint for traces and metrics, e.g. http://otel:4318."
    )
    log_level: str = Field("INFO", description="Python log level.")
    jwt_issuer: str = Field("https://samling.local/dev", description="Expected token issuer.")
    jwt_audience: str = Field("samling", description="Expected token audience.")
    jwt_jwks_url: str | None = Field(
        None,
        description="JWKS URL of the identity provider; when unset, jwt_secret (HS256) is used.",
    )
    jwt_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET), description="HS256 key for development tokens."
    )
    consumer_group: str | None = Field(
        None,
        description="Prefix of the Kafka consumer groups (one per topic read: "
        "<prefix>.<topic>); defaults to samling-<service>.",
    )
    relay_interval_seconds: float = Field(
        1.0, description="How often the outbox relay looks for unpublished facts."
    )
    idempotency_retention_hours: float = Field(
        24.0,
        gt=0,
        description="Idempotency keys and the answers stored with them are deleted this long "
        "after their first request; a key repeated later runs as a new request.",
    )
    processed_retention_days: float = Field(
        14.0,
        gt=0,
        description="Markers of consumed events (the dedupe of redeliveries) are deleted this "
        "long after the event was handled: well beyond Kafka's redelivery window.",
    )
    retention_sweep_interval_seconds: float = Field(
        3600.0,
        gt=0,
        description="How often expired idempotency keys, consumed-event markers and other "
        "data past its retention are deleted.",
    )
    max_request_bytes: int = Field(
        256 * 1024,
        ge=1024,
        description="Largest request body accepted; larger ones get 413 problem details.",
    )
    max_concurrent_requests: int = Field(
        1000,
        ge=1,
        description="Requests one process serves at once; more get 503 problem details with "
        "Retry-After (health checks are always served).",
    )
    http_keep_alive_seconds: int = Field(
        75,
        ge=1,
        description="How long an idle HTTP connection is kept open. Longer than the idle timeout "
        "of every client and proxy in front (httpx 5 s, load balancers 60 s), so the client "
        "closes first and never sends a request on a connection the server is closing.",
    )

    @property
    def service_name(self) -> str:
        prefix = str(self.model_config.get("env_prefix", "SAMLING_"))
        return prefix.removeprefix("SAMLING_").rstrip("_").lower() or "samling"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment in (Environment.DEVELOPMENT, Environment.TEST):
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and any(
                marker in value.get_secret_value().lower() for marker in PLACEHOLDER_MARKERS
            ):
                raise ValueError(
                    f"{name} is a development placeholder; set a real secret for {self.environment}"
                )
        return self
