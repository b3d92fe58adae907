"""RFC 9457 problem details for every error a service returns."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from pymongo.errors import ConnectionFailure, OperationFailure
from samling_kernel.decisions import Refusal, Refused
from starlette.exceptions import HTTPException as StarletteHTTPException

from samling_runtime.mongo import store_unreachable
from samling_runtime.store import WriteConflict

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://samling.no/problems/"
FASTAPI_UNREADABLE_BODY = "There was an error parsing the body"  # fastapi.routing, as a 400
log = logging.getLogger(__name__)


class InvalidParam(BaseModel):
    name: str = Field(description="Where the bad value is, e.g. body.starts_at.")
    reason: str = Field(description="What is wrong with it, in plain words.")


class ProblemDetails(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str = Field("about:blank", description="URI identifying the problem type.")
    title: str = Field(description="Short summary of the problem type.")
    status: int = Field(description="HTTP status code.")
    detail: str | None = Field(None, description="What happened in this case.")
    instance: str | None = Field(None, description="The request path.")
    invalid_params: list[InvalidParam] | None = Field(
        None, alias="invalid-params", description="Fields that failed validation."
    )

    model_config = {"populate_by_name": True}


class Problem(Exception):
    """Raise from anywhere in a request to answer with problem details."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers
        self.extensions = extensions


def not_found(what: str) -> Problem:
    return Problem(404, f"{what} was not found.", kind="not-found")


def conflict(detail: str, **extensions: Any) -> Problem:
    return Problem(409, detail, kind="conflict", **extensions)


def problem_response(
    request: Request | None,
    status: int,
    title: str,
    detail: str | None = None,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    invalid_params: list[InvalidParam] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = ProblemDetails(
        type=f"{TYPE_BASE}{kind}" if kind else "about:blank",
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path if request else None,
        invalid_params=invalid_params,
    ).model_dump(by_alias=True, exclude_none=True)
    body.update(extensions)
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _location(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "body"  # the rest of its location is a character position, not a field
    return ".".join(str(part) for part in error["loc"])


def _human(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    if error.get("type") == "json_invalid":
        position = error["loc"][-1] if len(error["loc"]) > 1 else None
        reason = str((error.get("ctx") or {}).get("error", "it cannot be parsed"))
        where = f" at character {position}" if isinstance(position, int) else ""
        return f"The body is not valid JSON: {reason[0].lower()}{reason[1:]}{where}."
    if error.get("type") == "missing":
        if tuple(error.get("loc", ())) == ("body",):
            return "A JSON body is required."
        return "This field is required."
    if error.get("type") == "extra_forbidden":
        return "This field is not allowed here."
    return message[0].upper() + message[1:] + ("" if message.endswith(".") else ".")


REFUSALS: dict[Refusal, tuple[int, str]] = {
    Refusal.NOT_FOUND: (404, "Not Found"),
    Refusal.FORBIDDEN: (403, "Forbidden"),
    Refusal.CONFLICT: (409, "Conflict"),
    Refusal.INVALID: (422, "The request breaks a rule"),
}
"""The one status and title of each kind of domain refusal, in every service."""


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> JSONResponse:
        status, title = REFUSALS[exc.kind]
        return problem_response(request, status, title, exc.detail, kind=exc.kind.value)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            request,
            exc.status,
            exc.title,
            exc.detail,
            kind=exc.kind,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [InvalidParam(name=_location(e), reason=_human(e)) for e in exc.errors()]
        return problem_response(
            request,
            422,
            "Your request contains invalid fields",
            " ".join(f"{p.name}: {p.reason}" for p in params),
            kind="validation",
            invalid_params=params,
        )

    @app.exception_handler(ConnectionFailure)
    @app.exception_handler(OperationFailure)
    async def _store_down(request: Request, exc: Exception) -> JSONResponse:
        if not store_unreachable(exc):
            return await _unexpected(request, exc)
        log.warning("store unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem_response(
            request,
            503,
            "Service Unavailable",
            "The data store cannot be reached right now; nothing was changed. Try again shortly "
            "(with the same Idempotency-Key, if you sent one).",
            kind="store-unavailable",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(WriteConflict)
    async def _write_conflict(request: Request, exc: WriteConflict) -> JSONResponse:
        # The same answer in every service: nothing was changed, and the client may retry
        # (with the same Idempotency-Key, if it sent one).
        return problem_response(
            request,
            409,
            "Conflict",
            "Someone else changed this at the same moment; nothing was changed. Try again.",
            kind="write-conflict",
            headers={"Retry-After": "1"},
        )

    @app.exception_handler(ValidationError)
    async def _invalid_state(request: Request, exc: ValidationError) -> JSONResponse:
        # A rule checked deeper than the request model (a domain model refusing a value).
        params = [
            InvalidParam(name=_location(dict(e)), reason=_human(dict(e))) for e in exc.errors()
        ]
        return problem_response(
            request,
            422,
            "Your request contains invalid fields",
            " ".join(p.reason for p in params),
            kind="validation",
            invalid_params=params,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == FASTAPI_UNREADABLE_BODY:
            # A body that is not even text (not UTF-8): invalid input like a body that is not
            # JSON, so the same 422 as that one, not a second status for the same mistake.
            param = InvalidParam(
                name="body", reason="The body cannot be read: it is not UTF-8 encoded JSON."
            )
            return problem_response(
                request,
                422,
                "Your request contains invalid fields",
                f"body: {param.reason}",
                kind="validation",
                invalid_params=[param],
            )
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            request,
            exc.status_code,
            HTTPStatus(exc.status_code).phrase,
            detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "Internal Server Error",
            "Something went wrong on our side; the error has been logged.",
            kind="internal",
        )
