"""GET /api/whoami: the unit and role of a token (the page and the task pane greet with it)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from ..answers import answer
from ..config import ServerConfig
from ..deps import Deps
from ..tokens import Principal


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/whoami")
    def whoami(config: ServerConfig = Depends(deps.config), who: Principal | None = Depends(deps.principal)) -> Any:
        if who is None:
            return answer(config, 401, "http_no_token")
        return {"unit": who.unit, "role": who.role, "name": config.roster.names.get(who.unit.upper(), who.unit)}

    return routes
