"""POST /api/consolidate: the board's consolidated workbook of the inbox (.xlsx), as
`fourgood consolidate INBOX` would write it."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ..config import ServerConfig
from ..deps import Deps, client_ip
from ..tokens import Principal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()

    @routes.post("/api/consolidate")
    def consolidate(request: Request, period: str | None = None, config: ServerConfig = Depends(deps.config),
                    who: Principal = Depends(deps.board("/api/consolidate"))) -> Any:
        from fourgood import FourgoodError, consolidate_paths, write_consolidated

        try:
            c = consolidate_paths([str(config.inbox.inbox)], config.specs, roster=config.roster_path,
                                  period=period or None, lang=config.lang)
        except FourgoodError as exc:
            return JSONResponse({"code": "consolidate_failed", "detail": exc.render(config.lang)}, status_code=409)
        with tempfile.TemporaryDirectory(prefix="fourgood-consolidate-", ignore_cleanup_errors=True) as work:
            out = write_consolidated(c, Path(work) / "tong-hop.xlsx", config.lang, sources=[str(config.inbox.inbox)],
                                     roster=config.roster_path, period=period or None)
            data = out.read_bytes()
        config.audit.write("consolidated", status=200, ip=client_ip(request), token_id=who.token_id, unit=who.unit,
                           summary=json.loads(json.dumps(c.summary, default=str)))
        return Response(data, media_type=XLSX, headers={"Content-Disposition": "attachment; filename=tong-hop.xlsx"})

    return routes
