"""The OpenAPI document states every error the runtime answers with, as problem details."""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from samling_runtime.auth import CurrentPrincipal
from samling_runtime.openapi_problems import document_problems
from samling_runtime.problems import ProblemDetails


class Body(BaseModel):
    name: str


def document() -> dict[str, Any]:
    app = FastAPI()

    @app.post("/things", responses={404: {"model": ProblemDetails}})
    async def create(body: Body, principal: CurrentPrincipal) -> dict[str, str]:
        return {}

    @app.get("/things")
    async def page(cursor: str | None = None) -> list[str]:
        return []

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {}

    document_problems(app)
    return app.openapi()


PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


def test_runtime_errors_are_documented_where_they_can_happen() -> None:
    paths = document()["paths"]
    create = paths["/things"]["post"]["responses"]
    assert set(create) == {"200", "401", "404", "413", "422", "503"}
    assert set(paths["/things"]["get"]["responses"]) == {"200", "400", "422", "503"}
    assert set(paths["/healthz"]["get"]["responses"]) == {"200", "503"}
    assert create["503"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_every_error_is_a_problem_not_fastapis_default() -> None:
    spec = document()
    for item in spec["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert response["content"] == PROBLEM, (status, response)
    problem = spec["components"]["schemas"]["ProblemDetails"]
    assert "invalid-params" in problem["properties"]
    assert "InvalidParam" in spec["components"]["schemas"]
