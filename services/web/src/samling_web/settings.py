"""Web app settings: environment variables prefixed ``SAMLING_WEB_``.

The web app owns no data, so the shared store settings of ``ServiceSettings`` are unused here;
of Kafka it reads only the registration facts' ids, for the coordinators' live dashboard
(``figures_feed``: a consumer group per process, named from ``consumer_group``). It keeps the
class for the environment, telemetry, token and body-limit settings every service reads the
same way.
"""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import DEVELOPMENT_SECRET, ServiceSettings


class WebSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_WEB_", extra="ignore")

    public_url: str = Field("http://127.0.0.1:8000", description="Base URL of the web app.")
    network_url: str = Field(
        "http://127.0.0.1:8001", description="Base URL of the network service's API."
    )
    events_url: str = Field(
        "http://127.0.0.1:8002", description="Base URL of the events service's API."
    )
    notifications_url: str = Field(
        "http://127.0.0.1:8003",
        description="Base URL of the notifications service's API (the preferences pages).",
    )
    default_region_id: str = Field(
        "rkk-salten", description="The region whose calendar the front page shows."
    )
    session_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key signing the session cookie, CSRF tokens and idempotency keys.",
    )
    reader_link_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key verifying the signed links to members-only reports in mails: the "
        "notifications service's SAMLING_NOTIFICATIONS_READER_LINK_SECRET.",
    )
    upstream_timeout_seconds: float = Field(
        10.0, gt=0, description="How long a page waits for a service's API."
    )
    upstream_connections: int = Field(
        50,
        ge=1,
        description="Requests under way to each service's API at once, over pools of ten "
        "connections: httpx's pool looks at every connection for each request it queues or "
        "frees, so one pool of 50 cost a registration twice the web app's CPU, while fewer "
        "than the people registering at once made the events service's batches small "
        "(make bench-web).",
    )
    workers: int = Field(
        1,
        ge=1,
        description="Processes serving the pages (uvicorn workers on one port). One suits a "
        "small machine; each more serves pages on another core (make bench-web). Every process "
        "keeps its own short caches and counts the registration limit for itself.",
    )
    register_burst: int = Field(
        20, ge=1, description="Registration forms one client (IP address) may send at once."
    )
    register_per_hour: float = Field(
        120, gt=0, description="Registration forms one client may send per hour after the burst."
    )
    oidc_issuer: str | None = Field(
        None,
        description="Issuer URL of the OpenID Connect provider people sign in with (its "
        "/.well-known/openid-configuration is read); unset, nobody can sign in.",
    )
    oidc_client_id: str = Field("samling-web", description="The web app's client id there.")
    oidc_client_secret: SecretStr = Field(
        SecretStr("dev-only-web-client-secret"),
        description="The web app's client secret there (also for its own client-credentials "
        "token when the services verify tokens through a JWKS).",
    )
    oidc_roles_claim: str = Field("roles", description="The token claim listing the roles.")
    oidc_region_claim: str = Field(
        "region", description="The token claim naming a coordinator's region."
    )
    oidc_municipality_claim: str = Field(
        "municipality", description="The token claim naming the municipality an admin manages."
    )
    signin_max_seconds: int = Field(
        8 * 3600,
        ge=60,
        description="A sign-in ends after this long, or when the access token expires if sooner.",
    )
    assets_dir: Path | None = Field(
        None,
        description="The node_modules folder holding the pinned front-end assets; defaults to "
        "services/web/node_modules (the Docker image sets its own).",
    )
