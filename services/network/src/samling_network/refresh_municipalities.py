"""Refresh the official municipality lists in ``samling_network/data`` from their sources.

    python -m samling_network.refresh_municipalities [--date 2025-01-01]

Needs internet access (the build machines have none: run it on a workstation and commit the
CSVs, then update the dates in ``data/README.md``). Each source is parsed by a pure function,
so a change of a source's format shows in ``tests/unit/test_official_municipalities.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from samling_contracts.vocabulary import Country

SSB_CLASSIFICATION_131 = (
    "https://data.ssb.no/api/klass/v1/classifications/131/codesAt.json?date={date}"
)
SCB_REGIONS = "https://api.scb.se/OV0104/v1/doris/sv/ssd/START/BE/BE0101/BE0101A/BefolkningNy"
DAGI_MUNICIPALITIES = "https://api.dataforsyningen.dk/kommuner"

# SSB's list has a code for "not stated" (uoppgitt); it is no municipality.
SSB_NOT_STATED = "9999"
# Christiansø has a kommunekode but is run by the state, not a municipality.
CHRISTIANSOE = "411"

Municipalities = dict[str, str]


def from_ssb(payload: dict[str, Any]) -> Municipalities:
    return {c["code"]: c["name"] for c in payload["codes"] if c["code"] != SSB_NOT_STATED}


def from_scb(payload: dict[str, Any]) -> Municipalities:
    """The regions of SCB's population table: the country (2 digits "00"), the län (2 digits)
    and the kommuner (4 digits: län + kommun)."""
    region = next(v for v in payload["variables"] if v["code"] == "Region")
    pairs = zip(region["values"], region["valueTexts"], strict=True)
    return {code: name for code, name in pairs if len(code) == 4}


def from_dagi(payload: list[dict[str, Any]]) -> Municipalities:
    """DAGI writes kommunekoder with four digits ("0101"); Samling uses the official three."""
    found = {str(int(m["kode"])): m["navn"] for m in payload}
    found.pop(CHRISTIANSOE, None)
    return found


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - fixed https URLs
        return json.load(response)


def write(target: Path, municipalities: Municipalities) -> None:
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["number", "name"])
        writer.writerows(sorted(municipalities.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--date",
        default=datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat(),
        help="valid on (SSB)",
    )
    args = parser.parse_args()
    data = Path(__file__).parent / "data"
    lists = {
        Country.NO: from_ssb(_get(SSB_CLASSIFICATION_131.format(date=args.date))),
        Country.SE: from_scb(_get(SCB_REGIONS)),
        Country.DK: from_dagi(_get(DAGI_MUNICIPALITIES)),
    }
    for country, municipalities in lists.items():
        write(data / f"municipalities_{country.value.lower()}.csv", municipalities)
        print(f"{country.value}: {len(municipalities)} municipalities")


if __name__ == "__main__":
    main()
