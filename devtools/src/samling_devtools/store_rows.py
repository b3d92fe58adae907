"""What a read costs the store, in rows: PostgreSQL's own counters under FerretDB.

Latencies on a shared machine swing tenfold with other work; the rows a request makes
PostgreSQL read do not. ``pg_stat_user_tables`` counts, per table, the rows sequential scans
read (``seq_tup_read``) and the rows index scans fetched (``idx_tup_fetch``); FerretDB keeps
each MongoDB database as a schema of its PostgreSQL database, so the sum over a database's
schema is what the store read for it.

PostgreSQL's backends publish their counters lazily: a backend that goes idle less than a
second after its last flush defers the next one by ``PGSTAT_IDLE_INTERVAL`` (10 s, fixed at
compile time), and ``pg_stat_force_next_flush()`` only flushes the backend that calls it, not
FerretDB's pooled connections. So a reading is exact only once FerretDB's backends have been
idle for that long: :func:`settled_rows` waits for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Protocol

PGSTAT_IDLE_INTERVAL_SECONDS = 10.0
"""PostgreSQL's ``PGSTAT_IDLE_INTERVAL``: the longest an idle backend keeps its counters."""

_SUMS = """
SELECT pg_stat_clear_snapshot();
SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0), coalesce(sum(seq_scan), 0)
  FROM pg_stat_user_tables WHERE schemaname LIKE :'pattern';
"""


class Psql(Protocol):
    """``PostgresServer.psql``: run SQL, return psql's unaligned output."""

    def psql(self, sql: str, database: str = ..., **variables: str) -> str: ...


@dataclass(frozen=True)
class RowsRead:
    """Counters since the statistics were last reset (or a difference of two readings)."""

    rows: int
    """Rows read by sequential scans plus rows fetched through indexes."""
    seq_scans: int

    def __sub__(self, earlier: RowsRead) -> RowsRead:
        return RowsRead(self.rows - earlier.rows, self.seq_scans - earlier.seq_scans)

    def per(self, requests: int) -> dict[str, float]:
        return {"rows": self.rows / requests, "seq_scans": self.seq_scans / requests}


def parse_sums(output: str) -> RowsRead:
    """The last line of :data:`_SUMS`'s output: ``rows|seq_scans``."""
    rows, scans = output.strip().splitlines()[-1].split("|")
    return RowsRead(int(rows), int(scans))


def rows_read(postgres: Psql, database_prefix: str) -> RowsRead:
    """The counters summed over the tables of the MongoDB databases whose name starts with
    ``database_prefix`` (their FerretDB schemas), as published so far."""
    return parse_sums(postgres.psql(_SUMS, pattern=f"{database_prefix}%"))


async def settled_rows(postgres: Psql, database_prefix: str) -> RowsRead:
    """:func:`rows_read` once every backend idle since the last request has published."""
    await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)
    return await asyncio.to_thread(rows_read, postgres, database_prefix)
