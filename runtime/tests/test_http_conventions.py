"""Problem details, authentication, idempotency keys and cursors as every service uses them."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, Field
from pymongo.errors import OperationFailure
from samling_kernel.decisions import Refusal, Refused
from samling_runtime.auth import CurrentPrincipal, Role, TokenVerifier, mint_token, require_role
from samling_runtime.pagination import after_cursor, decode_cursor, encode_cursor
from samling_runtime.problems import Problem, install_problem_handlers
from samling_runtime.settings import Environment, ServiceSettings

SETTINGS = ServiceSettings()

STORE_FAILURES = {
    # What FerretDB answers while the PostgreSQL under it is down, and while it shuts down.
    "postgres-down": OperationFailure(
        "[msg_insert.go:168 handler.(*Handler).MsgInsert] failed to connect to `user=postgres "
        "database=ferretdb`: dial error: dial tcp 127.0.0.1:5433: connect: connection refused",
        1,
    ),
    "postgres-stopping": OperationFailure(
        "[collection.go:163 postgresql.(*collection).InsertAll.func1] FATAL: terminating "
        "connection due to administrator command (SQLSTATE 57P01)",
        1,
    ),
    "bad-query": OperationFailure("unknown operator: $near", 2),
}


class Body(BaseModel):
    name: str = Field(min_length=2)
    seats: int = Field(gt=0)


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.token_verifier = TokenVerifier(SETTINGS)

    @app.post("/things")
    async def create(body: Body, principal: CurrentPrincipal) -> dict[str, Any]:
        require_role(principal, Role.COORDINATOR)
        return {"by": principal.subject, "region": principal.region_id}

    @app.get("/boom")
    async def boom() -> None:
        raise Problem(409, "Already full.", kind="conflict", seats_left=0)

    @app.get("/refused/{kind}")
    async def refused(kind: str) -> None:
        raise Refused("Not like this.", kind=Refusal(kind))

    @app.get("/store/{failure}")
    async def store(failure: str) -> None:
        raise STORE_FAILURES[failure]

    return app


@pytest.fixture
def app() -> FastAPI:
    return make_app()


def bearer(**claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SETTINGS, **claims)}"}


async def test_validation_errors_are_problem_details_with_human_messages(
    client: httpx.AsyncClient,
) -> None:
    headers = bearer(subject="u1", roles=[Role.COORDINATOR], region_id="rkk-salten")
    response = await client.post("/things", json={"name": "x"}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    names = {p["name"]: p["reason"] for p in problem["invalid-params"]}
    assert names["body.seats"] == "This field is required."
    assert "at least 2 characters" in names["body.name"]


async def test_a_body_that_is_not_json_says_where_it_breaks(client: httpx.AsyncClient) -> None:
    headers = {
        **bearer(subject="u1", roles=[Role.COORDINATOR]),
        "Content-Type": "application/json",
    }
    response = await client.post("/things", content=b'{"name": "ok", seats: 1}', headers=headers)
    assert response.status_code == 422
    (param,) = response.json()["invalid-params"]
    assert param["name"] == "body"
    assert param["reason"] == (
        "The body is not valid JSON: expecting property name enclosed in double quotes "
        "at character 15."
    )
    empty = await client.post("/things", content=b"", headers=headers)
    assert empty.json()["invalid-params"] == [
        {"name": "body", "reason": "A JSON body is required."}
    ]


async def test_missing_forged_and_expired_tokens_are_401(client: httpx.AsyncClient) -> None:
    body = {"name": "ok", "seats": 1}
    assert (await client.post("/things", json=body)).status_code == 401
    forged = jwt.encode({"sub": "x", "roles": ["coordinator"]}, "wrong-key-" * 4, algorithm="HS256")
    response = await client.post(
        "/things", json=body, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert response.json()["type"].endswith("/unauthenticated")
    expired = bearer(subject="u1", roles=[Role.COORDINATOR], lifetime=timedelta(seconds=-10))
    assert (await client.post("/things", json=body, headers=expired)).status_code == 401


async def test_wrong_role_is_403_and_right_role_passes_claims(client: httpx.AsyncClient) -> None:
    body = {"name": "ok", "seats": 1}
    participant = bearer(subject="u2", roles=[Role.PARTICIPANT])
    assert (await client.post("/things", json=body, headers=participant)).status_code == 403
    coordinator = bearer(subject="u1", roles=[Role.COORDINATOR], region_id="rkk-salten")
    response = await client.post("/things", json=body, headers=coordinator)
    assert response.json() == {"by": "u1", "region": "rkk-salten"}


async def test_problem_extensions_are_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")
    assert response.status_code == 409
    assert response.json()["seats_left"] == 0


def test_placeholder_secrets_are_refused_in_production() -> None:
    with pytest.raises(ValueError, match="development placeholder"):
        ServiceSettings(environment=Environment.PRODUCTION)
    ok = ServiceSettings(environment=Environment.PRODUCTION, jwt_secret="a-real-random-secret-1234")
    assert ok.environment is Environment.PRODUCTION


def test_cursors_round_trip_and_reject_garbage() -> None:
    moment = datetime(2027, 2, 10, 9, tzinfo=UTC)
    assert decode_cursor(encode_cursor(moment, "evt_1")) == (moment, "evt_1")
    assert after_cursor("starts_at", encode_cursor(5, "x")) == {
        "$or": [{"starts_at": {"$gt": 5}}, {"starts_at": 5, "_id": {"$gt": "x"}}]
    }
    with pytest.raises(Problem) as bad:
        decode_cursor("not-a-cursor")
    assert bad.value.status == 400


@pytest.mark.parametrize("failure", ["postgres-down", "postgres-stopping"])
async def test_a_store_whose_database_is_down_is_a_503_to_retry(
    client: httpx.AsyncClient, failure: str
) -> None:
    response = await client.get(f"/store/{failure}")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"].endswith("/store-unavailable")


async def test_any_other_store_error_stays_a_500(client: httpx.AsyncClient) -> None:
    response = await client.get("/store/bad-query")
    assert response.status_code == 500
    assert response.json()["type"].endswith("/internal")


async def test_a_body_that_is_not_even_text_is_invalid_input_too(
    client: httpx.AsyncClient,
) -> None:
    headers = {
        **bearer(subject="u1", roles=[Role.COORDINATOR]),
        "Content-Type": "application/json",
    }
    response = await client.post("/things", content=b'{"name": "\xff\xfe"}', headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (param,) = response.json()["invalid-params"]
    assert param["name"] == "body"


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Refusal.NOT_FOUND, 404),
        (Refusal.FORBIDDEN, 403),
        (Refusal.CONFLICT, 409),
        (Refusal.INVALID, 422),
    ],
)
async def test_a_domain_refusal_is_one_status_in_every_service(
    client: httpx.AsyncClient, kind: Refusal, status: int
) -> None:
    response = await client.get(f"/refused/{kind.value}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"https://samling.no/problems/{kind.value}"
    assert problem["detail"] == "Not like this."
    assert problem["instance"] == f"/refused/{kind.value}"
