"""Registration forms for one event sent to the events API together.

Under a rush, one HTTP request per form cost the web app and the events service more CPU than
the registration itself (make bench-web, docs/performance.md). A form whose event has no
request under way goes out at once, alone (no added wait on a quiet site); forms that arrive
while ``IN_FLIGHT`` requests for their event are under way wait for the next one and go out
together, as ``POST /events/{id}/registrations/batch``. Each form keeps its own
Idempotency-Key and gets its own answer: the registration, or :class:`Refused` with the
problem details the single route would have answered, so the person sees what they saw before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from samling_web.models import Registration
from samling_web.upstream_api import Api, Refused, UpstreamDown, checked
from samling_web.upstream_tokens import Tokens

IN_FLIGHT = 2
"""Requests under way per event: two keep the events service's desk busy while the next
batch gathers."""
MOST = 100  # the events API's largest batch


@dataclass
class _Form:
    applicant: Mapping[str, Any]
    key: str
    answer: asyncio.Future[Registration] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class _Queue:
    waiting: list[_Form] = field(default_factory=list)
    under_way: int = 0


class RegistrationBatches:
    def __init__(self, events: Api, tokens: Tokens) -> None:
        self._events = events
        self._tokens = tokens
        self._queues: dict[str, _Queue] = {}

    async def register(
        self, event_id: str, applicant: Mapping[str, Any], idempotency_key: str
    ) -> Registration:
        """The registration, or :class:`Refused` / :class:`UpstreamDown` as the single route's
        answer would raise them."""
        form = _Form(applicant, idempotency_key)
        queue = self._queues.setdefault(event_id, _Queue())
        queue.waiting.append(form)
        if queue.under_way < IN_FLIGHT:
            self._send_next(event_id, queue)
        # Shielded: a person who leaves does not cancel the answer the others' batch sets.
        return await asyncio.shield(form.answer)

    def _send_next(self, event_id: str, queue: _Queue) -> None:
        forms, queue.waiting = queue.waiting[:MOST], queue.waiting[MOST:]
        queue.under_way += 1
        task = asyncio.create_task(self._send(event_id, forms))
        task.add_done_callback(lambda _: self._sent(event_id, queue))

    def _sent(self, event_id: str, queue: _Queue) -> None:
        queue.under_way -= 1
        if queue.waiting:
            self._send_next(event_id, queue)
        elif queue.under_way == 0:
            self._queues.pop(event_id, None)

    async def _send(self, event_id: str, forms: list[_Form]) -> None:
        try:
            answers = await self._post(event_id, forms)
        except (Refused, UpstreamDown) as exc:
            for form in forms:
                form.answer.set_exception(exc)
            return
        except BaseException as exc:  # never leave a person's request waiting
            for form in forms:
                form.answer.set_exception(UpstreamDown(self._events.name, type(exc).__name__))
            raise
        for form, (status, body) in zip(forms, answers, strict=True):
            if status >= 500:
                form.answer.set_exception(UpstreamDown(self._events.name, f"answered {status}"))
            elif status >= 400:
                form.answer.set_exception(Refused(status, body if isinstance(body, dict) else {}))
            else:
                form.answer.set_result(Registration.model_validate(body))

    async def _post(self, event_id: str, forms: list[_Form]) -> list[tuple[int, Any]]:
        if len(forms) == 1:  # the single route: the same answer, a little less to encode
            form = forms[0]
            response = await self._events.request(
                "POST",
                f"/events/{event_id}/registrations",
                json=dict(form.applicant),
                headers={**self._tokens.reader(), "Idempotency-Key": form.key},
            )
            if response.status_code >= 400:
                checked(response)  # raises Refused, with the body's problem details
            return [(response.status_code, response.json())]
        items = [{"idempotency_key": f.key, "registration": dict(f.applicant)} for f in forms]
        response = await self._events.request(
            "POST",
            f"/events/{event_id}/registrations/batch",
            json={"items": items},
            headers=self._tokens.reader(),
        )
        checked(response)
        return [(item["status"], item["body"]) for item in response.json()["items"]]
