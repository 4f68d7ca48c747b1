"""POST /api/check: one uploaded form checked from memory, anyone may ask (the Guard bounds how often)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File
from fastapi.responses import JSONResponse

from ..config import ServerConfig
from ..deps import Deps
from .upload import checked, received_bytes


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()

    @routes.post("/api/check")
    async def api_check(file: Any = File(None), config: ServerConfig = Depends(deps.config)) -> Any:
        got = await received_bytes(file, config)  # a check keeps nothing: the upload stays in memory
        if isinstance(got, JSONResponse):
            return got
        return await checked(config, *got)

    return routes
