"""Who may submit a checked form: a form, without errors, of a cell under the token's unit (the board
may submit any form). A refusal is an answer (422 or 403) carrying the check and its `reason`."""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse

from .answers import answer
from .checking import _code
from .config import ServerConfig
from .tokens import Principal

NOT_FORM_WHAT = {"consolidated": ("một bảng tổng hợp", "a consolidated workbook"),
                 "skipped": ("tệp hệ thống", "a system file")}


def submit_refusal(config: ServerConfig, who: Principal, obj: dict[str, Any]) -> JSONResponse | None:
    """Why this principal may not submit this checked form (422 or 403, with `reason`), or None."""
    status = obj["status"]
    if status in NOT_FORM_WHAT:
        what = NOT_FORM_WHAT[status][1 if config.lang == "en" else 0]
        return answer(config, 422, "http_not_form", detail=what, extra={"check": obj, "reason": status})
    if not obj["valid"]:
        codes = sorted({e["code"] for e in obj["errors"] if e["severity"] == "error"})
        return answer(config, 422, "http_invalid", extra={"check": obj, "reason": "invalid: " + ",".join(codes)})
    if who.role == "board":
        return None
    refused = config.roster.may_submit(who.unit, obj["cell_code"])
    if refused is None and _code(who.unit) == _code(obj["cell_code"]) and obj.get("upper_total") is not None:
        refused = ("http_upper_by_cell", _code(obj["cell_code"]), None)
    if refused is None:
        return None
    code, value, expected = refused
    return answer(config, 403, code, value=value, expected=expected, extra={"check": obj, "reason": code})
