"""The board reads the inbox: GET /api/inbox (the receipts) and GET /api/inbox/{sha256} (one form)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from ..answers import answer
from ..config import ServerConfig
from ..deps import Deps
from ..tokens import Principal


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()
    board = deps.board("/api/inbox")

    @routes.get("/api/inbox")
    def inbox_list(config: ServerConfig = Depends(deps.config), who: Principal = Depends(board)) -> Any:
        return {"receipts": config.inbox.receipts()}

    @routes.get("/api/inbox/{sha256}")
    def inbox_file(sha256: str, config: ServerConfig = Depends(deps.config), who: Principal = Depends(board)) -> Any:
        path = config.inbox.find_form(sha256)
        if path is None:
            return answer(config, 404, "http_not_found")
        return FileResponse(path, filename=path.name)

    return routes
