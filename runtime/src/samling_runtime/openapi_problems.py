"""Every service's OpenAPI document states the errors the runtime itself answers with.

Routes document their own refusals (403, 404, 409...) with ``responses=``; what every route can
answer because of the runtime is added here, so no route has to remember it and every status a
client can get is in the document: 401 for a missing or bad token (routes that take one), 413
for a body over the limit and 422 for invalid input (routes that take any), 400 for a cursor
the service did not hand out (routes that page), 503 with
Retry-After when the store is down or the instance is full. Every error is documented as what it
is, ``application/problem+json`` with the :class:`ProblemDetails` schema; FastAPI's own default
for 422 (``HTTPValidationError`` as ``application/json``) is not what a Samling service sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from samling_runtime.problems import PROBLEM_JSON, ProblemDetails

REF = "#/components/schemas/{model}"
METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "schema": {"type": "integer"},
    }
}
DESCRIPTIONS = {
    "400": "The cursor is not one this service handed out; start again without it.",
    "401": "The bearer token is missing, expired or not valid.",
    "413": "The request body is larger than this service accepts.",
    "422": "The request has invalid fields; invalid-params says which and why.",
    "503": "The store cannot be reached or this instance is busy; nothing was changed. Send "
    "it again after Retry-After seconds (with the same Idempotency-Key, if it had one).",
}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": REF.format(model=ProblemDetails.__name__)}}}


def _runtime_statuses(operation: dict[str, Any]) -> list[str]:
    statuses = ["503"]
    if operation.get("security"):
        statuses.append("401")
    if "requestBody" in operation:
        statuses += ["413", "422"]
    elif operation.get("parameters"):
        statuses.append("422")
    if any(p.get("name") == "cursor" for p in operation.get("parameters", [])):
        statuses.append("400")  # samling_runtime.pagination.decode_cursor
    return statuses


def with_problems(document: dict[str, Any]) -> dict[str, Any]:
    schema = ProblemDetails.model_json_schema(ref_template=REF)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components[ProblemDetails.__name__] = schema
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in _runtime_statuses(operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status]})
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    # Keep a page a browser is shown (text/html); JSON errors are problems.
                    kept = {
                        media: body
                        for media, body in response.get("content", {}).items()
                        if media not in ("application/json", PROBLEM_JSON)
                    }
                    response["content"] = {**_problem_content(), **kept}
                    if status == "503":
                        response.setdefault("headers", RETRY_AFTER)
    return document


def document_problems(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and /openapi.json) include the runtime's error answers."""
    build: Callable[[], dict[str, Any]] = app.openapi
    done: list[bool] = []

    def openapi() -> dict[str, Any]:
        document = build()  # FastAPI builds it once and hands back the same dict after
        if not done:
            with_problems(document)
            done.append(True)
        return document

    app.openapi = openapi  # type: ignore[method-assign]
