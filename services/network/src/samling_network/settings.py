"""Network service settings: environment variables prefixed ``SAMLING_NETWORK_``."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import DEVELOPMENT_SECRET, ServiceSettings


class NetworkSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_NETWORK_", extra="ignore")

    mongo_db: str = Field("samling_network", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8001", description="Base URL of this service.")
    superseded_contacts_retention_days: float = Field(
        30.0,
        gt=0,
        description="Contact persons in a municipality's older revisions (and in the outbox "
        "copies of the facts those revisions published) are erased this long after a newer "
        "list replaced them.",
    )
    reader_link_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key verifying the signed links to members-only reports in mails, which the "
        "web app passes on: the notifications service's SAMLING_NOTIFICATIONS_READER_LINK_SECRET.",
    )
