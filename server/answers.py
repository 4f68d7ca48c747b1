"""Every answer that is not a result: JSON `{"code", "detail"}`, the detail from the message
catalogue in the server's language (FastAPI's own answers are worded the same way: handlers.py)."""

from __future__ import annotations

import json
from typing import Any, Protocol

from fastapi.responses import JSONResponse

from fourgood.problems import Problem


class Speaking(Protocol):
    """What an answer needs of the configuration: the server's language (the Guard's and the routes')."""

    lang: str


class Refused(Exception):
    """Raised by a dependency (deps.py) to answer with `response` instead of running the route."""

    def __init__(self, response: JSONResponse):
        super().__init__(response.status_code)
        self.response = response


def message(config: Speaking, code: str, *, value: Any = None, expected: Any = None, **params: Any) -> str:
    """A server answer's text from the catalogue, in the server's language."""
    return Problem(code, value=value, expected=expected, params=params).message(config.lang)


def answer(config: Speaking, status: int, code: str, *, retry: int | None = None, value: Any = None,
           expected: Any = None, extra: dict[str, Any] | None = None, **params: Any) -> JSONResponse:
    """Every answer that is not a result: JSON with its `code` and `detail` (catalogue text)."""
    body = {"code": code, "detail": message(config, code, value=value, expected=expected, **params), **(extra or {})}
    headers = {"Retry-After": str(retry)} if retry else None
    return JSONResponse(body, status_code=status, headers=headers)


def body_of(response: JSONResponse) -> dict[str, Any]:
    """The JSON an answer carries (to audit its code)."""
    data: dict[str, Any] = json.loads(bytes(response.body))
    return data
