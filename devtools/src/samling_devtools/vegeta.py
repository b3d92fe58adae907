"""The benchmarks' load generator: vegeta, its attacks and its report."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from pydantic import BaseModel, Field

from samling_devtools.infra import cache_dir

VEGETA = "github.com/tsenart/vegeta/v12@v12.12.0"


def vegeta() -> Path:
    """The load generator: vegeta, built once from the Go module proxy into the cache.

    A Python client on this 2-core machine spent more CPU per request (httpx: ~13 ms) than the
    service did, so it measured itself; vegeta needs a fraction of a millisecond."""
    binary = cache_dir() / "bin" / "vegeta"
    if not binary.exists():
        print(f"building the load generator ({VEGETA}) once ...", flush=True)
        with tempfile.TemporaryDirectory() as gopath:
            env = {**os.environ, "GOBIN": str(binary.parent), "GOPATH": gopath, "GOFLAGS": ""}
            subprocess.run(["go", "install", VEGETA], env=env, check=True)
            subprocess.run(["go", "clean", "-modcache"], env=env, check=False)
    return binary


def attack(
    workdir: Path,
    targets: str,
    concurrency: int,
    rate: int = 0,
    seconds: int = 0,
    options: tuple[str, ...] = (),
) -> Report:
    """Send the targets as fast as the clients can (``rate`` 0), or ``rate`` a second for
    ``seconds``; the per-request results stay in ``results.bin``. ``options`` are more of
    vegeta's attack flags (e.g. ``-redirects=-1``: a redirect is the answer)."""
    binary = vegeta()
    results = workdir / "results.bin"
    command = [
        str(binary), "attack", "-lazy", "-format=json", f"-rate={rate}/1s" if rate else "-rate=0",
        f"-duration={seconds}s", f"-workers={concurrency}", f"-max-workers={concurrency}",
        "-timeout=120s", "-keepalive=true", f"-output={results}", *options,
    ]  # fmt: skip
    subprocess.run(command, input=targets.encode(), check=True)
    report = subprocess.run(
        [str(binary), "report", "-type=json", str(results)], check=True, capture_output=True
    )
    return Report.model_validate_json(report.stdout)


def results(workdir: Path) -> list[bytes]:
    """The last attack's per-request results, one JSON line each (vegeta's ``encode``)."""
    encoded = subprocess.run(
        [str(vegeta()), "encode", "-to=json", str(workdir / "results.bin")],
        check=True,
        capture_output=True,
    )
    return encoded.stdout.splitlines()


class Latencies(BaseModel):
    mean: float
    p50: float = Field(alias="50th")
    p95: float = Field(alias="95th")
    p99: float = Field(alias="99th")
    max: float


class Report(BaseModel):
    """The fields of ``vegeta report -type=json`` the benchmarks use (latencies in
    nanoseconds)."""

    requests: int
    duration: float  # ns from the first to the last request sent
    wait: float  # ns from the last request sent to its response
    latencies: Latencies
    status_codes: dict[str, int]
    errors: list[str] = []

    @property
    def failures(self) -> list[str]:
        # Each worker ends on "no targets to attack" (status 0) when the list runs out.
        return [e for e in self.errors if e != "no targets to attack"]

    @property
    def answers(self) -> dict[str, int]:
        ran_out = len(self.errors) > len(self.failures)
        return {c: n for c, n in self.status_codes.items() if not (c == "0" and ran_out)}

    @property
    def seconds(self) -> float:
        return (self.duration + self.wait) / 1e9
