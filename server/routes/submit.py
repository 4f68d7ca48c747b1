"""POST /api/submit: a checked form kept in the inbox with its receipt and audit line, all or
nothing, if the token may submit it (refusals.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..answers import answer, body_of
from ..checking import sniff_file_extension
from ..config import ServerConfig
from ..deps import Deps, RequestAudit
from ..refusals import submit_refusal
from ..tokens import Principal
from .upload import checked, received, upload_folder


def router(deps: Deps) -> APIRouter:
    routes = APIRouter()

    @routes.post("/api/submit")
    async def api_submit(file: Any = File(None), config: ServerConfig = Depends(deps.config),
                         who: Principal | None = Depends(deps.principal),
                         audit: RequestAudit = Depends(deps.audit)) -> Any:
        if who is None:  # the Guard refuses a submission without a valid token; never reached
            return answer(config, 401, "http_no_token")
        with upload_folder(config, "submit-") as work:
            got = await received(file, config, work)
            if isinstance(got, JSONResponse):
                audit.write("refused", status=got.status_code, reason=body_of(got)["code"])
                return got
            path, name = got
            audit = audit.about(sha256=path.stem, file=name)
            obj = await checked(config, path, name)
            if isinstance(obj, JSONResponse):
                audit.write("refused", status=obj.status_code, reason="http_check_limit")
                return obj
            refusal = submit_refusal(config, who, obj)
            if refusal is not None:
                audit.write("refused", status=refusal.status_code, cell_code=obj.get("cell_code"),
                            reason=body_of(refusal)["reason"])
                return refusal
            return await _accept(config, who, obj, path, name, audit)

    return routes


async def _accept(config: ServerConfig, who: Principal, obj: dict[str, Any], path: Path, name: str,
                  audit: RequestAudit) -> JSONResponse:
    """Store the form with its receipt and audit line, all or nothing (500 said and audited)."""
    fields = {"cell_code": obj["cell_code"], "period": obj["period"], "year": obj["year"],
              "self_total": obj["self_total"], "upper_total": obj["upper_total"], "status": obj["status"],
              "file": name, "unit": who.unit, "token_id": who.token_id,
              "warnings": sum(1 for e in obj["errors"] if e["severity"] == "warning")}

    def commit(receipt: dict[str, Any]) -> None:
        audit.write("accepted", strict=True, status=201, receipt_id=receipt["receipt_id"],
                    cell_code=obj["cell_code"], period=obj["period"])

    try:
        receipt = await run_in_threadpool(config.inbox.store, path, sniff_file_extension(path), fields, commit)
    except OSError as exc:
        audit.write("failed", status=500, reason=f"{type(exc).__name__}: {exc}")
        return answer(config, 500, "http_store_failed")
    return JSONResponse(receipt, status_code=201)
