"""What a flow costs the store, per collection: rows PostgreSQL inserted, updated, deleted and
read under FerretDB, and the scans it ran (about one per query FerretDB sent).

:mod:`samling_devtools.store_rows` sums the rows read; a write path (a fact through the
notifications service to the inbox and the mail) needs the writes too, and per collection, to
see which documents a step adds. FerretDB names a collection's table ``<name>_<hash>`` in the
schema of its MongoDB database. The same caveat holds: backends publish their counters lazily,
so take a reading once they have been idle (:func:`settled_table_counters`).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from samling_devtools.store_rows import PGSTAT_IDLE_INTERVAL_SECONDS, Psql

_TABLES = """
SELECT pg_stat_clear_snapshot();
SELECT 'table', relname, n_tup_ins, n_tup_upd, n_tup_del,
       seq_tup_read, coalesce(idx_tup_fetch, 0), seq_scan, coalesce(idx_scan, 0)
  FROM pg_stat_user_tables WHERE schemaname LIKE :'pattern';
SELECT 'commits', xact_commit FROM pg_stat_database WHERE datname = current_database();
"""

_HASH_SUFFIX = re.compile(r"_[0-9a-f]{8}$")
COUNTERS = ("inserted", "updated", "deleted", "seq read", "idx read", "seq scans", "idx scans")


@dataclass(frozen=True)
class TableCounters:
    """One reading (or the difference of two): counters by collection, and the commits of the
    whole PostgreSQL database (every service's: FerretDB keeps them all in one)."""

    tables: dict[str, tuple[int, ...]] = field(default_factory=dict)
    commits: int = 0

    def __sub__(self, earlier: TableCounters) -> TableCounters:
        zero = (0,) * len(COUNTERS)
        tables = {
            name: tuple(a - b for a, b in zip(now, earlier.tables.get(name, zero), strict=True))
            for name, now in self.tables.items()
        }
        return TableCounters(tables, self.commits - earlier.commits)

    def total(self, counter: str) -> int:
        index = COUNTERS.index(counter)
        return sum(values[index] for values in self.tables.values())

    def lines(self, per: int, what: str) -> list[str]:
        """A table of the counters divided by ``per`` (the busiest collections first)."""
        per = max(1, per)
        rows = [(name, values) for name, values in self.tables.items() if any(values)]
        rows.sort(key=lambda row: -sum(row[1][:3]))
        head = f"  store per {what}: " + " · ".join(COUNTERS)
        out = [head]
        for name, values in rows:
            out.append(f"    {name:<32}" + "".join(f"{v / per:9.2f}" for v in values))
        totals = [self.total(c) / per for c in COUNTERS]
        out.append(f"    {'all':<32}" + "".join(f"{v:9.2f}" for v in totals))
        out.append(f"    PostgreSQL commits (every service) {self.commits / per:.2f}")
        return out


def parse_counters(output: str) -> TableCounters:
    """:data:`_TABLES`'s unaligned output: ``table|name|`` and the :data:`COUNTERS` lines and
    one ``commits|n`` line; a collection split over tables (none today) is summed."""
    tables: dict[str, tuple[int, ...]] = {}
    commits = 0
    for line in output.strip().splitlines():
        kind, *values = line.split("|")
        if kind == "commits":
            commits = int(values[0])
        elif kind == "table":
            name = _HASH_SUFFIX.sub("", values[0])
            counted = tuple(int(v) for v in values[1:])
            before = tables.get(name, (0,) * len(COUNTERS))
            tables[name] = tuple(a + b for a, b in zip(before, counted, strict=True))
    return TableCounters(tables, commits)


def table_counters(postgres: Psql, database_prefix: str) -> TableCounters:
    """The counters of the MongoDB databases whose name starts with ``database_prefix``."""
    return parse_counters(postgres.psql(_TABLES, pattern=f"{database_prefix}%"))


async def settled_table_counters(postgres: Psql, database_prefix: str) -> TableCounters:
    """:func:`table_counters` once every backend idle since the last request has published."""
    await asyncio.sleep(PGSTAT_IDLE_INTERVAL_SECONDS + 0.5)
    return await asyncio.to_thread(table_counters, postgres, database_prefix)
