# syntax=docker/dockerfile:1
# One image per Samling service, from the same file:
#   docker build --build-arg SERVICE=network       -t samling-network .
#   docker build --build-arg SERVICE=events        -t samling-events .
#   docker build --build-arg SERVICE=notifications -t samling-notifications .
#   docker build --build-arg SERVICE=web           -t samling-web .             (the web app)
#   docker build --build-arg SERVICE=devtools      -t samling-devtools .   (topic-init, `samling`)
# The build installs exactly what uv.lock pins for that service (no dev tools, no other
# service) into a virtual environment; the runtime stage copies only that environment.

ARG PYTHON_VERSION=3.11
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# --- assets: the web app's pinned front-end files (npm ci from its lockfile, no dev tools) -----
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY services/web/package.json services/web/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- build: resolve from uv.lock, build the workspace packages as wheels ------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ARG SERVICE
RUN test -n "$SERVICE" || (echo "build with --build-arg SERVICE=network|events|notifications|web|devtools" >&2 && exit 1)
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# Third-party dependencies first: this layer changes only when uv.lock does.
COPY pyproject.toml uv.lock .python-version ./
COPY contracts/pyproject.toml contracts/
COPY kernel/pyproject.toml kernel/
COPY runtime/pyproject.toml runtime/
COPY devtools/pyproject.toml devtools/
COPY services/network/pyproject.toml services/network/
COPY services/events/pyproject.toml services/events/
COPY services/notifications/pyproject.toml services/notifications/
COPY services/web/pyproject.toml services/web/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "samling-${SERVICE}"

# Then Samling's own packages, installed as wheels (not editable), so no source is needed later.
COPY contracts/ contracts/
COPY kernel/ kernel/
COPY runtime/ runtime/
COPY devtools/ devtools/
COPY services/ services/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "samling-${SERVICE}"

# --- runtime: slim Python, the virtual environment, an unprivileged user -----------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="samling-${SERVICE}" \
      org.opencontainers.image.description="Samling ${SERVICE} service"
RUN groupadd --system --gid 10001 samling \
 && useradd --system --uid 10001 --gid samling --no-create-home --shell /usr/sbin/nologin samling
COPY --from=build --chown=root:root /app/.venv /app/.venv
# A few MB in every image; only the web app reads them (SAMLING_WEB_ASSETS_DIR).
COPY --from=assets --chown=root:root /assets/node_modules /app/web-assets/node_modules
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SAMLING_SERVICE=${SERVICE} \
    SAMLING_WEB_ASSETS_DIR=/app/web-assets/node_modules
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# exec replaces the shell, so uvicorn gets SIGTERM directly and drains before it stops. The
# server settings (keep-alive, backlog, overload answers) come from samling_runtime.server, as
# in `make up` and the tests.
CMD ["sh", "-c", "exec python -m samling_runtime.server \"samling_${SAMLING_SERVICE}.main:create\" --host 0.0.0.0 --port 8000 --proxy-headers"]
