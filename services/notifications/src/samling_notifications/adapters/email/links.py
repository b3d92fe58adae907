"""Where each mail's links lead: pages of the web app (``app_url``), never an API.

Every notice links to the page it is about: the event (for an invitation, the page to register
on), the report, or the network's announcements. A participant's own mail also carries their
private link (``manage_url``, made by the events service) and, after the event, the evaluation
under it. The footer goes to the web app's preferences page; only ``List-Unsubscribe`` (RFC 8058
one-click, a POST by the mail client) points at this service's API.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from samling_contracts.vocabulary import Visibility
from samling_notifications.domain.links import sign_recipient
from samling_notifications.domain.notices import Kind
from samling_notifications.settings import NotificationsSettings
from samling_runtime.mongo import Document
from samling_runtime.reader_links import ReaderLink, sign_reader_link

READER_QUERY = "t"
"""The query parameter of a report page that carries a signed reader link."""


def page_label(kind: Kind) -> str:
    """The words of the link to the notice's page (a key of the common labels)."""
    if kind is Kind.EVENT_INVITATION:
        return "register"
    if kind in (Kind.REPORT_PUBLISHED, Kind.REPORT_REVISED):
        return "report"
    if kind is Kind.ANNOUNCEMENT:
        return "network"
    return "event"


def event_page(app_url: str, event_id: str) -> str:
    """An event's page in the web app: where one registers, and where a registration waiting
    for approval is approved or declined."""
    return f"{app_url.rstrip('/')}/events/{event_id}"


def restricted(report: Document | None) -> bool:
    """A report the public may not read: its link must carry a signed reader link."""
    return report is None or report.get("visibility") != str(Visibility.PUBLIC)


class MailLinks:
    def __init__(self, settings: NotificationsSettings) -> None:
        self.app = settings.app_url.rstrip("/")
        self.api = settings.public_url.rstrip("/")
        self._recipient_secret = settings.link_secret.get_secret_value()
        self._reader_secret = settings.reader_link_secret.get_secret_value()
        self._reader_lifetime = timedelta(days=settings.reader_link_days)

    def page(self, notice: Document) -> str | None:
        """The page a notice is about, the same for every recipient (a restricted report's
        link gets each recipient's signed reader link appended: see :meth:`reader`)."""
        refs: dict[str, str] = notice.get("refs") or {}
        if refs.get("event_id"):
            return event_page(self.app, refs["event_id"])
        if refs.get("report_id"):
            return f"{self.app}/reports/{refs['report_id']}"
        if refs.get("network_id"):
            return f"{self.app}/networks/{refs['network_id']}"
        return None

    def reader(self, report_id: str, recipient_id: str, report: Document, now: datetime) -> str:
        """The signed reader link of one recipient for a report only members may read."""
        return sign_reader_link(
            ReaderLink(report_id, recipient_id, str(report.get("region_id") or "")),
            self._reader_secret,
            now + self._reader_lifetime,
        )

    def preferences(self, recipient_id: str) -> str:
        """The footer's link: the web app's page for channels, language, digest, unsubscribe."""
        return f"{self.app}/preferences/{sign_recipient(recipient_id, self._recipient_secret)}"

    def one_click(self, recipient_id: str) -> str:
        """``List-Unsubscribe``: the mail client POSTs here (RFC 8058); a GET shows the web
        app's confirm page."""
        token = sign_recipient(recipient_id, self._recipient_secret)
        return f"{self.api}/unsubscribe?token={token}"

    def unsubscribe_page(self, token: str) -> str:
        return f"{self.app}/unsubscribe/{token}"


def evaluation(manage_url: str) -> str:
    """The evaluation form under a participant's private link (``{app_url}/r/{token}``)."""
    return manage_url.rstrip("/") + "/evaluation"


def transfer_plan(manage_url: str, registration_id: str) -> str:
    """The participant's transfer plan of one registration, under their private link."""
    return f"{manage_url.rstrip('/')}/transfer/{registration_id}"
