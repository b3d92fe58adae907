"""Static files the app serves itself (no CDN): its own stylesheet and the pinned npm assets.

The npm packages are pinned in services/web/package-lock.json and installed by
deploy/local/install.sh (``npm ci``); only the files listed here are reachable, under stable
names. Pages link them with ``?v=<content hash>``, so they can be cached for a year: a new
version is a new URL.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

OWN = Path(__file__).parent / "static"
DEFAULT_NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
LONG_CACHE = "public, max-age=31536000, immutable"
FONT_FILES = ("latin", "latin-ext")


def vendor_files(node_modules: Path) -> dict[str, Path]:
    fonts = node_modules / "@fontsource-variable" / "inter" / "files"
    files = {
        "vendor/designsystemet.css": node_modules / "@digdir/designsystemet-css/dist/src/index.css",
        "vendor/theme.css": node_modules
        / "@digdir/designsystemet-theme/src/themes/designsystemet.css",
        "vendor/htmx.min.js": node_modules / "htmx.org/dist/htmx.min.js",
    }
    for subset in FONT_FILES:
        name = f"inter-{subset}-wght-normal.woff2"
        files[f"fonts/{name}"] = fonts / name
    return files


@dataclass(frozen=True)
class Assets:
    files: dict[str, Path]
    versions: dict[str, str]

    @classmethod
    def load(cls, node_modules: Path | None = None) -> Assets:
        files = vendor_files(node_modules or DEFAULT_NODE_MODULES)
        files |= {p.name: p for p in OWN.iterdir() if p.is_file()}
        missing = sorted(str(path) for path in files.values() if not path.is_file())
        if missing:
            raise RuntimeError(
                "front-end assets missing (run deploy/local/install.sh, which runs npm ci in "
                f"services/web): {', '.join(missing)}"
            )
        versions = {
            name: hashlib.sha256(path.read_bytes()).hexdigest()[:12] for name, path in files.items()
        }
        return cls(files, versions)

    def url(self, name: str) -> str:
        return f"/static/{name}?v={self.versions[name]}"


def assets_router(assets: Assets) -> APIRouter:
    router = APIRouter()

    @router.api_route("/static/{name:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def static(name: str, request: Request) -> Response:
        path = assets.files.get(name)
        if path is None:
            return Response(status_code=404)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": LONG_CACHE})

    return router
