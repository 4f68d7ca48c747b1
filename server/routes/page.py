"""The check-and-submit page (Vietnamese) and its two files; nothing else is served from web/."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from ..answers import answer
from ..config import ServerConfig
from ..deps import Deps

WEB = Path(__file__).resolve().parent.parent / "web"


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()

    @routes.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @routes.get("/trang/{name}")
    def asset(name: str, config: ServerConfig = Depends(deps.config)) -> Response:
        if name not in {"app.js", "style.css"}:
            return answer(config, 404, "http_no_page")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((WEB / name).read_bytes(), media_type=f"{media}; charset=utf-8")

    return routes
