"""The official municipality numbers of Norway, Sweden and Denmark, shipped as package data.

Reference data of the domain, like a constant table: read once from the installed package,
never from the network or the store, so the rules that check a number stay pure.

Each country's list is a CSV (``number,name``) in ``samling_network/data``; its README says
where each list comes from and of which date. Refresh them with
``python -m samling_network.refresh_municipalities`` (needs internet access).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from functools import cache
from importlib import resources

from samling_contracts.vocabulary import Country


@cache
def official_municipalities(country: Country) -> Mapping[str, str]:
    """Official number -> name of every municipality of ``country`` (names are for people to
    read; the number is the identity)."""
    text = (
        resources.files("samling_network")
        .joinpath("data", f"municipalities_{country.value.lower()}.csv")
        .read_text(encoding="utf-8")
    )
    return {row["number"]: row["name"] for row in csv.DictReader(io.StringIO(text))}
