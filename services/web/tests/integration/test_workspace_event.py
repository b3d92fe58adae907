"""An event's registrations for its coordinator: the lists, the counts per municipality, the
CSV for badges and the venue, and the check-in at the door (against the real services)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from services.web.tests.conftest import hidden
from services.web.tests.workspace_world import Workspace, workspace

pytestmark = pytest.mark.integration
__all__ = ["workspace"]  # the fixture, used by name

PEOPLE = [
    ("Anne Andersen", "NO-1804"),
    ("Bjørn Berg", "NO-1841"),
    ("=HYPERLINK(1)", "NO-1804"),  # a name typed to become a spreadsheet formula
    ("Dag Dahl", "NO-1841"),  # capacity 3: the waiting list
]


@pytest.fixture(scope="module")
async def registered(workspace: Workspace) -> Workspace:
    for name, municipality_id in PEOPLE:
        await workspace.register(workspace.today, name, municipality_id)
    return workspace


async def test_the_lists_and_the_counts_per_municipality(registered: Workspace) -> None:
    async with registered.signed_in("koordinator") as coordinator:
        page = await coordinator.get(f"/workspace/events/{registered.today}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    coming, waiting = page.text.split('<ol class="people">', 1)
    assert "Anne Andersen" in coming
    assert "Bjørn Berg" in coming
    assert "Dag Dahl" not in coming
    assert "Dag Dahl" in waiting
    table = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [" ".join(re_cells(row)) for row in table.split("<tr>")[1:]]
    assert rows == ["Bodø 2 0 0", "Fauske 1 1 0"]


def re_cells(row: str) -> list[str]:
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)


async def test_the_csv_for_badges_and_the_venue(registered: Workspace) -> None:
    async with registered.signed_in("koordinator") as coordinator:
        answer = await coordinator.get(f"/workspace/events/{registered.today}/registrations.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="registrations-{registered.today}.csv"'
    )
    assert answer.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["Navn", "Kommune", "Rolle", "Status"]
    assert ["Anne Andersen", "Bodø", "Lærer", "Bekreftet"] in rows
    assert ["Dag Dahl", "Fauske", "Lærer", "På venteliste"] in rows
    # Opened in a spreadsheet, the typed formula stays text.
    assert ["'=HYPERLINK(1)", "Bodø", "Lærer", "Bekreftet"] in rows


async def test_checking_in_at_the_door_without_javascript(registered: Workspace) -> None:
    path = f"/workspace/events/{registered.today}/check-in"
    async with registered.signed_in("koordinator") as coordinator:
        found = await coordinator.get(path, params={"q": "bjørn"})
        assert found.status_code == 200
        assert "Bjørn Berg" in found.text
        assert "Anne Andersen" not in found.text
        assert "0 av 3 er sjekket inn" in found.text
        (action,) = re.findall(r'action="(/workspace/events/[^"]+/check-in/[^"]+)"', found.text)
        sent = await coordinator.post(
            action,
            data={"csrf_token": hidden(found.text, "csrf_token"), "q": "bjørn",
                  "name": "Bjørn Berg"},
        )  # fmt: skip
        assert sent.status_code == 303
        assert sent.headers["location"] == f"{path}?q=bj%C3%B8rn"
        after = await coordinator.get(sent.headers["location"])
        assert "Bjørn Berg er sjekket inn." in after.text
        assert "1 av 3 er sjekket inn" in after.text
        forged = await coordinator.post(action, data={"csrf_token": "forged"})
        assert forged.status_code == 403
    people = {r["name"]: r for r in await registered.registrations(registered.today)}
    assert people["Bjørn Berg"]["attended"] is True
    assert not people["Anne Andersen"].get("attended")
