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

What a write costs is counted the same way (:class:`StoreWork`: the rows inserted, updated,
deleted and read in a database's schemas, and the transactions PostgreSQL committed), and
FerretDB's own counters say how many commands of each kind it was sent (:func:`commands`).
"""

from __future__ import annotations

import asyncio
import re
import urllib.request
from collections import Counter
from dataclasses import dataclass, fields
from typing import Protocol

PGSTAT_IDLE_INTERVAL_SECONDS = 10.0
"""PostgreSQL's ``PGSTAT_IDLE_INTERVAL``: the longest an idle backend keeps its counters."""

_SUMS = """
SELECT pg_stat_clear_snapshot();
SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0), coalesce(sum(seq_scan), 0)
  FROM pg_stat_user_tables WHERE schemaname LIKE :'pattern';
"""


_WORK = """
SELECT pg_stat_clear_snapshot();
SELECT coalesce(sum(n_tup_ins), 0), coalesce(sum(n_tup_upd), 0), coalesce(sum(n_tup_del), 0),
       coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0)), 0),
       (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())
  FROM pg_stat_user_tables WHERE schemaname LIKE :'pattern';
"""
_TABLES = """
SELECT pg_stat_clear_snapshot();
SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, seq_tup_read + coalesce(idx_tup_fetch, 0)
  FROM pg_stat_user_tables WHERE schemaname LIKE :'pattern';
"""
_TABLE_SUFFIX = re.compile(r"_[0-9a-f]{8}$")
"""FerretDB names a collection's table ``<name>_<hash>``."""
_REQUESTS = re.compile(r'^ferretdb_client_requests_total\{[^}]*command="([^"]+)"[^}]*\} (\S+)$')


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


@dataclass(frozen=True)
class StoreWork:
    """What PostgreSQL did for some databases' schemas (or a difference of two readings).

    ``commits`` is the whole PostgreSQL database's (FerretDB keeps every MongoDB database in
    one): every statement FerretDB runs outside a transaction of its own commits too, so it
    counts round trips to PostgreSQL, readers included."""

    inserts: int
    updates: int
    deletes: int
    rows_read: int
    commits: int

    def __sub__(self, earlier: StoreWork) -> StoreWork:
        return StoreWork(
            *(getattr(self, f.name) - getattr(earlier, f.name) for f in fields(StoreWork))
        )

    def per(self, units: int, what: str, *, commits: bool = True) -> str:
        """E.g. ``store per registration: 9.0 inserts, 0.0 updates, ...``."""
        return f"store per {what}: " + ", ".join(
            f"{getattr(self, f.name) / units:.1f} {f.name.replace('_', ' ')}"
            for f in fields(StoreWork)
            if commits or f.name != "commits"
        )


def parse_work(output: str) -> StoreWork:
    """The last line of :data:`_WORK`'s output: ``inserts|updates|deletes|rows|commits``."""
    return StoreWork(*(int(value) for value in output.strip().splitlines()[-1].split("|")))


def store_work(postgres: Psql, database_prefix: str) -> StoreWork:
    """PostgreSQL's counters for the MongoDB databases whose name starts with
    ``database_prefix``, as published so far (wait as :func:`settled_rows` does)."""
    return parse_work(postgres.psql(_WORK, pattern=f"{database_prefix}%"))


def parse_tables(output: str) -> dict[str, StoreWork]:
    """:data:`_TABLES`'s output by collection (no commits: those are the database's)."""
    tables: dict[str, StoreWork] = {}
    for line in output.splitlines():
        if "|" not in line:  # pg_stat_clear_snapshot()'s empty answer
            continue
        name, *counts = line.split("|")
        inserts, updates, deletes, rows_read = (int(c) for c in counts)
        tables[_TABLE_SUFFIX.sub("", name)] = StoreWork(inserts, updates, deletes, rows_read, 0)
    return tables


def table_work(postgres: Psql, database_prefix: str) -> dict[str, StoreWork]:
    """:func:`store_work` per collection (a table FerretDB made for it)."""
    return parse_tables(postgres.psql(_TABLES, pattern=f"{database_prefix}%"))


def parse_commands(metrics: str) -> Counter[str]:
    """Commands received by name, from FerretDB's Prometheus text (summed over opcodes)."""
    found: Counter[str] = Counter()
    for line in metrics.splitlines():
        if match := _REQUESTS.match(line):
            found[match[1]] += int(float(match[2]))
    return found


def commands(debug_port: int) -> Counter[str]:
    """The commands FerretDB (with ``--debug-addr`` on ``debug_port``) received so far, from
    every client: read them around a phase with only the clients it measures."""
    url = f"http://127.0.0.1:{debug_port}/debug/metrics"
    with urllib.request.urlopen(url, timeout=10) as answer:
        return parse_commands(answer.read().decode())
