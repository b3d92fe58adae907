"""Network service settings: environment variables prefixed ``SAMLING_NETWORK_``."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import ServiceSettings


class NetworkSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_NETWORK_", extra="ignore")

    mongo_db: str = Field("samling_network", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8001", description="Base URL of this service.")
