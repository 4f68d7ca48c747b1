"""FastAPI's and Starlette's own answers (422 validation lists, 404, 405, "An error occurred.") as the
server's JSON in the catalogue's words, and a dependency's refusal (deps.py) as it was made."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from .answers import Refused, answer
from .config import ServerConfig
from .deps import client_ip


def install_answers(app: Any, get_config: Callable[[], ServerConfig]) -> None:
    """FastAPI's and Starlette's own answers (422 validation lists, 404, 405, "An error occurred.")
    as the server's JSON, in the catalogue's words; a dependency's refusal as it was made."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    async def invalid(request: Request, exc: Exception) -> JSONResponse:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        where = ".".join(str(x) for x in errors[0].get("loc", ()) if x != "body") if errors else ""
        return answer(get_config(), 422, "http_bad_request", value=where or "body")

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        config = get_config()
        status = getattr(exc, "status_code", 500)
        code = {401: "http_bad_token", 404: "http_no_page", 405: "http_method"}.get(status, "http_error")
        if status == 401 and not request.headers.get("authorization", "").strip().lower().removeprefix("bearer"):
            code = "http_no_token"
        response = answer(config, status, code, value=request.method)
        response.headers.update(getattr(exc, "headers", None) or {})
        return response

    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        logging.getLogger("fourgood.server").exception("unexpected error on %s", request.url.path)
        config = get_config()
        config.audit.write("failed", status=500, ip=client_ip(request), path=request.url.path,
                           reason=f"{type(exc).__name__}: {str(exc)[:200]}")
        return answer(config, 500, "http_error")

    async def unreadable(request: Request, exc: Exception) -> JSONResponse:
        return answer(get_config(), 400, "http_bad_request", value="body")

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refused)
        return exc.response

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(json.JSONDecodeError, unreadable)  # a script call whose body is not JSON
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(Exception, crashed)
