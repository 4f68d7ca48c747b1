"""The HTTP API and the check-and-submit page (FastAPI), over the core's public API.

    GET  /                      the page (Vietnamese): check a form, submit it with a token
    POST /api/check             multipart `file` -> one element of `fourgood validate --json`
    POST /api/submit            same, `Authorization: Bearer TOKEN` -> a receipt (201)
    GET  /api/inbox             board: the receipts
    GET  /api/inbox/{sha256}    board: one stored form
    POST /api/consolidate       board: the consolidated workbook of the inbox (.xlsx)
    GET  /api/whoami            the unit and role of a token

Routes live in `routes/`, one module per concern (page, check, submit, whoami, inbox, consolidate);
what they share comes through FastAPI dependencies (deps.py: the configuration, the token's
principal, the board-only check, the audit log bound to the request). Every request passes the
`Guard` first (guard.py: tokens, rates, the check pool's places, bounded bodies, headers); checks
run in the bounded pool of limited processes (pool.py). The validators refuse zip bombs, XML
entities, encrypted files and sheets no form can have themselves. Every answer that is not a result
is JSON `{"code", "detail"}`, the detail from the message catalogue (answers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI

from .config import ServerConfig
from .deps import dependencies
from .guard import Guard
from .handlers import install_answers
from .routes import check, consolidate, inbox, page, submit, whoami


def build_router(get_config: Callable[[], ServerConfig]) -> APIRouter:
    """Every route of the page and the API, over `get_config` (one configuration or the current one)."""
    deps = dependencies(get_config)
    router = APIRouter()
    for concern in (page, check, submit, whoami, inbox, consolidate):
        router.include_router(concern.router(deps))
    return router


def plain_app(config: ServerConfig) -> Any:
    """The page and the API without xlwings Server (what the tests of the API use; `fourgood serve`
    mounts the same router on xlwings Server's app)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(build_router(lambda: config))
    install_answers(app, lambda: config)
    return Guard(app, lambda: config)
