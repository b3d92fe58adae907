"""A municipality's webhook endpoint is sent only what its admins may read through the API:
network-only reports of its networks, region-only reports of its region, registrations of its
own participants."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from samling_contracts import Fact
from samling_contracts.events import RegistrationConfirmed
from samling_contracts.network import (
    MunicipalityJoinedNetwork,
    MunicipalityRegistered,
    NetworkCreated,
    ReportPublished,
    ReportTags,
)
from samling_contracts.vocabulary import Visibility
from samling_devtools.infra import Stack
from samling_devtools.testing import eventually, running
from samling_notifications.main import create
from samling_runtime.auth import Role, mint_token
from samling_runtime.settings import ServiceSettings

from .facts import publish, tag
from .test_api import serving

pytestmark = pytest.mark.integration

PUBLISHED = "no.samling.network.report.published.v1"
CONFIRMED = "no.samling.events.registration.confirmed.v1"


def admin_of(municipality_id: str) -> dict[str, str]:
    token = mint_token(
        ServiceSettings(),
        subject=f"u-admin-{municipality_id}",
        roles=[Role.MUNICIPALITY_ADMIN],
        municipality_id=municipality_id,
    )
    return {"Authorization": f"Bearer {token}"}


async def test_an_endpoint_gets_only_what_its_owner_may_read(
    stack: Stack, notifications_settings: Callable[..., Any]
) -> None:
    run = tag()
    salten, helgeland = f"rkk-salten-{run}", f"rkk-helgeland-{run}"
    bodo, rana = "NO-1804", "NO-1833"  # own database per test: the ids need not be unique
    network_id = f"net_{run}"
    received: dict[str, list[str]] = {"bodo": [], "rana": []}
    receiver = FastAPI()

    @receiver.post("/{name}")
    async def hook(name: str, request: Request) -> Response:
        data = json.loads(await request.body())["data"]
        received[name].append(data.get("report_id") or data["registration_id"])
        return Response(status_code=204)

    def report(suffix: str, author: str, region: str, visibility: Visibility) -> ReportPublished:
        return ReportPublished(
            report_id=f"rep_{run}_{suffix}",
            municipality_id=author,
            region_id=region,
            network_ids=[network_id] if visibility is Visibility.NETWORK else [],
            visibility=visibility,
            template="free_text",
            title=f"Rapport {suffix}",
            tags=ReportTags(learning_arenas=[], language="nb"),
        )

    async with serving(receiver) as base, running(create(await notifications_settings())) as svc:
        for name, municipality_id in (("bodo", bodo), ("rana", rana)):
            made = await svc.client.post(
                "/webhooks",
                json={"url": f"{base}/{name}", "event_types": [PUBLISHED, CONFIRMED]},
                headers=admin_of(municipality_id),
            )
            assert made.status_code == 201, made.text
        setup: list[Fact] = [
            MunicipalityRegistered(
                municipality_id=bodo, region_id=salten, number="1804", name="Bodø", country="NO"
            ),
            MunicipalityRegistered(
                municipality_id=rana, region_id=helgeland, number="1833", name="Rana", country="NO"
            ),
            NetworkCreated(network_id=network_id, region_id=salten, name="Lesing", field="school"),
            MunicipalityJoinedNetwork(
                network_id=network_id,
                municipality_id=bodo,
                membership_id=f"mem_{run}",
                starts_on=date(2026, 1, 1),
            ),
        ]
        await publish(stack.bootstrap, *setup)

        async def known() -> bool:
            regions = await svc.db.municipalities.count_documents({})
            members = await svc.db.memberships.count_documents({"municipality_id": bodo})
            return regions == 2 and members == 1

        await eventually(known)
        await publish(
            stack.bootstrap,
            # Network-only, in Bodø's network, written by Fauske: Bodø only.
            report("network", "NO-1841", salten, Visibility.NETWORK),
            # Region-only in Helgeland, written by Vefsn: Rana only.
            report("region", "NO-1824", helgeland, Visibility.REGION),
            # Public: both (so that the absence of the others means something).
            report("public", "NO-1841", salten, Visibility.PUBLIC),
            # A registration through Bodø: Bodø's admin only.
            RegistrationConfirmed(
                registration_id=f"reg_{run}",
                event_id=f"evt_{run}",
                participant_id=f"par_{run}",
                municipality_id=bodo,
            ),
        )

        async def delivered() -> bool:
            return len(received["bodo"]) >= 3 and len(received["rana"]) >= 2

        await eventually(delivered)
        await asyncio.sleep(1.0)  # anything wrongly sent would arrive by now
        assert sorted(received["bodo"]) == [f"reg_{run}", f"rep_{run}_network", f"rep_{run}_public"]
        assert sorted(received["rana"]) == [f"rep_{run}_public", f"rep_{run}_region"]
