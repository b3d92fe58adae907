"""A small client for the services' HTTP APIs, shared by the networks, events and
registrations commands: service URLs, the bearer token, and errors shown as the services'
RFC 9457 problem details."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import typer
from rich.console import Group
from rich.panel import Panel
from rich.text import Text

from samling_devtools.cli import output
from samling_devtools.cli.tokens import dev_token, known_role
from samling_devtools.services import default_services


class ApiProblem(Exception):
    """A service answered with an error (RFC 9457 problem details when it could)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or str(status))
        self.status = status
        self.problem = problem


def render_problem(error: ApiProblem) -> Panel:
    problem = error.problem
    lines = [Text(str(problem.get("detail") or problem.get("title") or ""), style="bold")]
    for param in problem.get("invalid-params") or []:
        lines.append(Text(f"  • {param.get('name')}: {param.get('reason')}"))
    if problem.get("type") not in (None, "about:blank"):
        lines.append(Text(str(problem["type"]), style="dim"))
    title = f"{error.status} {problem.get('title', 'Error')}"
    return Panel(Group(*lines), title=f"[red]{title}[/]", title_align="left")


@dataclass
class Api:
    """A small async client for one service; raises :class:`ApiProblem` on errors."""

    base_url: str
    token: str
    transport: httpx.AsyncBaseTransport | None = None

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            transport=self.transport,
            timeout=15,
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self._client() as client:
            try:
                response = await client.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                raise ApiProblem(
                    503,
                    {
                        "title": "Service unreachable",
                        "detail": f"No answer from {self.base_url}: {exc}. Is it running "
                        "(make up / docker compose up)?",
                    },
                ) from exc
        if response.is_error:
            try:
                body = response.json()
            except ValueError:
                body = {"title": response.reason_phrase, "detail": response.text[:500]}
            raise ApiProblem(response.status_code, body if isinstance(body, dict) else {})
        return response.json() if response.content else None

    async def pages(self, path: str, params: dict[str, Any] | None = None) -> list[Any]:
        """Every item of a cursor-paginated list."""
        items: list[Any] = []
        query = dict(params or {})
        while True:
            page = await self.request("GET", path, params=query)
            items += page.get("items", [])
            if not page.get("next_cursor"):
                return items
            query["cursor"] = page["next_cursor"]


def service_url(name: str) -> str:
    default = {s.name: s.url for s in default_services()}[name]
    return os.environ.get(f"SAMLING_{name.upper()}_URL", default).rstrip("/")


TokenOption = Annotated[
    str | None, typer.Option("--token", envvar="SAMLING_TOKEN", help="Bearer token to send.")
]
RoleOption = Annotated[
    str,
    typer.Option(
        "--as", help="Mint a development token for this role if no --token.", callback=known_role
    ),
]


def api_for(service: str, token: str | None, role: str) -> Api:
    return Api(service_url(service), token or dev_token(role))


def call(work: Callable[[], Any]) -> Any:
    """Run an API call; show problem details nicely and exit 1 on an error."""
    try:
        return asyncio.run(work())
    except ApiProblem as error:
        output.console.print(render_problem(error))
        raise typer.Exit(1) from None
