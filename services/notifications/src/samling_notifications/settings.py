"""Notifications service settings: environment variables prefixed ``SAMLING_NOTIFICATIONS_``."""

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict
from samling_runtime.settings import DEVELOPMENT_SECRET, Environment, ServiceSettings

from samling_notifications.domain.webhooks import TargetPolicy


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SAMLING_NOTIFICATIONS_", extra="ignore")

    mongo_db: str = Field("samling_notifications", description="Database name.")
    public_url: str = Field("http://127.0.0.1:8003", description="Base URL of this service.")
    app_url: str = Field(
        "http://127.0.0.1:8000", description="Base URL of the Samling web app (links in mail)."
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server host.")
    smtp_port: int = Field(
        1025, description="SMTP server port (Mailpit, the local mailbox, listens on 1025)."
    )
    smtp_username: str | None = Field(None, description="SMTP user, when the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_from: str = Field("Samling <noreply@samling.no>", description="From address.")
    smtp_connections: int = Field(8, description="SMTP connections kept open and used at once.")
    delivery_record_every: int = Field(
        100,
        description="Outcomes are written after every this many mails: after a crash at most "
        "this many mails whose outcome was not written yet are sent again.",
    )
    delivery_lease_seconds: float = Field(
        60.0,
        description="A delivery process whose heartbeat is older than this is taken to have "
        "died; another takes over the e-mails it had not sent.",
    )
    delivery_poll_seconds: float = Field(
        0.5, description="How often e-mail retries are checked against the clock."
    )
    delivery_sweep_seconds: float = Field(
        30.0,
        description="How often the delivery sweep looks for e-mails a stopped process left "
        "unsent (it also runs at start-up).",
    )
    email_max_attempts: int = Field(8, description="Attempts before an e-mail is failed.")
    email_retry_base_seconds: float = Field(30.0, description="First e-mail retry delay.")
    scheduler_poll_seconds: float = Field(
        0.5, description="How often reminders are checked against the clock."
    )
    digest_poll_seconds: float = Field(
        60.0,
        description="How often due digests are looked for. Digests are daily or weekly, and "
        "the look is a scan of the queued notices on FerretDB, so a minute is plenty.",
    )
    notice_retention_days: int = Field(
        180,
        ge=1,
        description="Notices (inbox and e-mail) and their read state are deleted this long "
        "after they were created.",
    )
    notice_sweep_seconds: float = Field(
        3600.0, description="How often notices older than the retention are looked for."
    )
    link_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key signing the links to a recipient's preferences: one-click unsubscribe "
        "and the web app's preferences page, which has the notifications API verify them.",
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook URLs on private, link-local or loopback addresses "
        "(development and test only; ignored in production). Loopback (a receiver on the "
        "developer's machine) is allowed in development without it.",
    )
    webhook_timeout_seconds: float = Field(10.0, description="Timeout of one webhook call.")
    webhook_retry_base_seconds: float = Field(30.0, description="First webhook retry delay.")
    webhook_retry_cap_seconds: float = Field(4 * 3600.0, description="Longest retry delay.")
    webhook_secret_overlap_seconds: float = Field(
        24 * 3600.0,
        ge=0,
        description="After a webhook secret is rotated, how long deliveries are signed with the "
        "old secret as well, so receivers can switch without missing one (the owner may end it "
        "at once, as for a leaked secret).",
    )
    reader_link_secret: SecretStr = Field(
        SecretStr(DEVELOPMENT_SECRET),
        description="Key signing the links to reports only a mail's recipient may read; the web "
        "app verifies them with the same key (SAMLING_WEB_READER_LINK_SECRET).",
    )
    reader_link_days: int = Field(
        30, ge=1, description="How long a signed link to a report in a mail can be opened."
    )

    @property
    def webhook_targets(self) -> TargetPolicy:
        """Non-public webhook targets: loopback in development, every private address when
        asked for in development or test, none in production."""
        local = self.environment in (Environment.DEVELOPMENT, Environment.TEST)
        return TargetPolicy(
            loopback=self.environment is Environment.DEVELOPMENT,
            private=local and self.webhook_allow_private,
        )
