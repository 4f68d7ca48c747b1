"""The HTTP API and the check-and-submit page (FastAPI), over the core's public API.

    GET  /                      the page (Vietnamese): check a form, submit it with a token
    POST /api/check             multipart `file` -> one element of `fourgood validate --json`
    POST /api/submit            same, `Authorization: Bearer TOKEN` -> a receipt (201)
    GET  /api/inbox             board: the receipts
    GET  /api/inbox/{sha256}    board: one stored form
    POST /api/consolidate       board: the consolidated workbook of the inbox (.xlsx)
    GET  /api/whoami            the unit and role of a token

Uploads over the size limit are refused (413) by `BodyLimit` before any parsing, even without a
Content-Length; the validators refuse zip bombs, XML entities and encrypted files themselves.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from .checking import Roster, check_bytes, display_name, sniff_extension
from .store import AuditLog, Inbox, Principal, RateLimiter, TokenStore

WEB = Path(__file__).parent / "web"
API_PATHS = ("/api/check", "/api/submit")

MESSAGES = {
    "too_large": "Tệp quá lớn: giới hạn {limit} MB mỗi tệp.",
    "no_file": "Chưa có tệp: hãy gửi tệp phiếu trong trường 'file'.",
    "empty": "Tệp rỗng.",
    "no_token": "Cần mã truy cập do Ban Tổ chức cấp (Authorization: Bearer ...).",
    "bad_token": "Mã truy cập không đúng hoặc đã bị thu hồi.",
    "rate": "Gửi quá nhiều lần: tối đa {n} lần mỗi phút. Vui lòng thử lại sau ít phút.",
    "board_only": "Chỉ cán bộ Ban Tổ chức (mã truy cập vai trò 'board') mới được xem, tải hoặc tổng hợp hộp thư.",
    "invalid": "Phiếu còn lỗi nên chưa được nhận: hãy sửa các lỗi dưới đây rồi nộp lại.",
    "not_form": "Chỉ nhận phiếu chấm điểm của một chi bộ (tệp này là {what}).",
    "not_found": "Không có tệp này trong hộp thư.",
}


@dataclass
class ServerConfig:
    inbox: Inbox
    roster: Roster
    roster_path: str | None
    specs: dict[str, Any]
    max_upload: int = 10 * 1024 * 1024
    rate_per_minute: int = 30
    lang: str = "vi"
    tokens: TokenStore = field(init=False)
    audit: AuditLog = field(init=False)
    limiter: RateLimiter = field(init=False)
    checks: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(4))

    def __post_init__(self) -> None:
        self.tokens = TokenStore(self.inbox.tokens_path)
        self.audit = AuditLog(self.inbox.audit_path)
        self.limiter = RateLimiter(self.rate_per_minute)


def _error(status: int, key: str, **params: Any) -> JSONResponse:
    return JSONResponse({"detail": MESSAGES[key].format(**params)}, status_code=status)


class BodyLimit:
    """ASGI middleware: read the body of an upload up to the limit; one byte more and the answer is
    413 before the application (or the multipart parser) sees anything."""

    def __init__(self, app: Any, get_config: Any):
        self.app = app
        self.get_config = get_config

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in API_PATHS:
            await self.app(scope, receive, send)
            return
        config: ServerConfig = self.get_config()
        limit = config.max_upload + 64 * 1024  # the form fields around the file
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = declared is not None and declared.isdigit() and int(declared) > limit
        chunks: list[bytes] = []
        size = 0
        more = not too_large
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                too_large = True
                break
            chunks.append(body)
            more = message.get("more_body", False)
        if too_large:
            client = scope.get("client") or ("", 0)
            config.audit.write("refused", status=413, ip=client[0], path=scope.get("path"),
                               reason=f"body over {limit} bytes")
            response = _error(413, "too_large", limit=config.max_upload // (1024 * 1024))
            await response(scope, receive, send)
            return
        body = b"".join(chunks)
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def build_router(get_config: Any) -> APIRouter:
    router = APIRouter()

    def client_ip(request: Request) -> str:
        return request.client.host if request.client else ""

    def principal_of(request: Request, config: ServerConfig) -> Principal | None:
        return config.tokens.verify(request.headers.get("authorization"))

    def limited(config: ServerConfig, key: str) -> bool:
        return not config.limiter.allow(key, time.monotonic())

    async def read_upload(file: UploadFile | None, config: ServerConfig) -> tuple[bytes, str] | JSONResponse:
        if file is None:
            return _error(400, "no_file")
        data = await file.read(config.max_upload + 1)
        if len(data) > config.max_upload:
            return _error(413, "too_large", limit=config.max_upload // (1024 * 1024))
        if not data:
            return _error(400, "empty")
        return data, display_name(file.filename)

    def check(config: ServerConfig, data: bytes, name: str) -> dict[str, Any]:
        with config.checks:  # bounded: at most a few forms are read at once
            return check_bytes(data, name, config.specs, config.lang)

    @router.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @router.get("/trang/{name}")
    def asset(name: str) -> Response:
        if name not in {"app.js", "style.css"}:
            return Response(status_code=404)
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((WEB / name).read_bytes(), media_type=f"{media}; charset=utf-8")

    @router.post("/api/check")
    async def api_check(request: Request, file: UploadFile | None = File(None)) -> Any:
        config: ServerConfig = get_config()
        who = principal_of(request, config)
        key = f"token:{who.token_id}" if who else f"ip:{client_ip(request)}"
        if limited(config, key):
            config.audit.write("refused", status=429, ip=client_ip(request), path="/api/check", key=key)
            return _error(429, "rate", n=config.rate_per_minute)
        got = await read_upload(file, config)
        if isinstance(got, JSONResponse):
            return got
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(check, config, *got)

    @router.post("/api/submit")
    async def api_submit(request: Request, file: UploadFile | None = File(None)) -> Any:
        config: ServerConfig = get_config()
        ip = client_ip(request)
        header = request.headers.get("authorization")
        if not header:
            config.audit.write("refused", status=401, ip=ip, path="/api/submit", reason="no token")
            return _error(401, "no_token")
        who = principal_of(request, config)
        if who is None:
            config.audit.write("refused", status=401, ip=ip, path="/api/submit", reason="bad token")
            return _error(401, "bad_token")
        base = {"ip": ip, "token_id": who.token_id, "unit": who.unit, "role": who.role}
        if limited(config, f"token:{who.token_id}"):
            config.audit.write("refused", status=429, path="/api/submit", **base)
            return _error(429, "rate", n=config.rate_per_minute)
        got = await read_upload(file, config)
        if isinstance(got, JSONResponse):
            config.audit.write("refused", status=got.status_code, path="/api/submit", **base)
            return got
        data, name = got
        from starlette.concurrency import run_in_threadpool

        obj = await run_in_threadpool(check, config, data, name)
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        if obj["status"] == "consolidated" or obj["status"] == "skipped":
            what = "một bảng tổng hợp" if obj["status"] == "consolidated" else "tệp hệ thống"
            config.audit.write("refused", status=422, path="/api/submit", sha256=sha, file=name,
                               reason=obj["status"], **base)
            return JSONResponse({"detail": MESSAGES["not_form"].format(what=what), "check": obj}, status_code=422)
        if not obj["valid"]:
            codes = sorted({e["code"] for e in obj["errors"] if e["severity"] == "error"})
            config.audit.write("refused", status=422, path="/api/submit", sha256=sha, file=name,
                               reason="invalid: " + ",".join(codes), cell_code=obj["cell_code"], **base)
            return JSONResponse({"detail": MESSAGES["invalid"], "check": obj}, status_code=422)
        if who.role != "board":
            ok, reason = config.roster.may_submit(who.unit, obj["cell_code"])
            if not ok:
                config.audit.write("refused", status=403, path="/api/submit", sha256=sha, file=name,
                                   cell_code=obj["cell_code"], reason=reason, **base)
                return JSONResponse({"detail": reason, "check": obj}, status_code=403)
        fields = {"cell_code": obj["cell_code"], "period": obj["period"], "year": obj["year"],
                  "self_total": obj["self_total"], "upper_total": obj["upper_total"], "status": obj["status"],
                  "file": name, "unit": who.unit, "token_id": who.token_id,
                  "warnings": sum(1 for e in obj["errors"] if e["severity"] == "warning")}
        receipt = await run_in_threadpool(config.inbox.store, data, sniff_extension(data), fields)
        config.audit.write("accepted", status=201, path="/api/submit", sha256=sha, file=name,
                           receipt_id=receipt["receipt_id"], cell_code=obj["cell_code"], period=obj["period"], **base)
        return JSONResponse(receipt, status_code=201)

    def board(request: Request, config: ServerConfig, path: str) -> Principal | JSONResponse:
        who = principal_of(request, config)
        if who is None:
            config.audit.write("refused", status=401, ip=client_ip(request), path=path, reason="bad token")
            return _error(401, "bad_token" if request.headers.get("authorization") else "no_token")
        if who.role != "board":
            config.audit.write("refused", status=403, ip=client_ip(request), path=path, token_id=who.token_id,
                               unit=who.unit, reason="board only")
            return _error(403, "board_only")
        return who

    @router.get("/api/whoami")
    def whoami(request: Request) -> Any:
        config: ServerConfig = get_config()
        who = principal_of(request, config)
        if who is None:
            return _error(401, "bad_token")
        return {"unit": who.unit, "role": who.role, "name": config.roster.names.get(who.unit.upper(), who.unit)}

    @router.get("/api/inbox")
    def inbox_list(request: Request) -> Any:
        config: ServerConfig = get_config()
        who = board(request, config, "/api/inbox")
        if isinstance(who, JSONResponse):
            return who
        return {"receipts": config.inbox.receipts()}

    @router.get("/api/inbox/{sha256}")
    def inbox_file(sha256: str, request: Request) -> Any:
        config: ServerConfig = get_config()
        who = board(request, config, "/api/inbox")
        if isinstance(who, JSONResponse):
            return who
        path = config.inbox.find_form(sha256)
        if path is None:
            return _error(404, "not_found")
        return FileResponse(path, filename=path.name)

    @router.post("/api/consolidate")
    def consolidate(request: Request, period: str | None = None) -> Any:
        config: ServerConfig = get_config()
        who = board(request, config, "/api/consolidate")
        if isinstance(who, JSONResponse):
            return who
        from fourgood import FourgoodError, consolidate_paths, write_consolidated

        work = Path(tempfile.mkdtemp(prefix="fourgood-consolidate-"))
        try:
            c = consolidate_paths([str(config.inbox.inbox)], config.specs, roster=config.roster_path,
                                  period=period or None, lang=config.lang)
        except FourgoodError as exc:
            shutil.rmtree(work, ignore_errors=True)
            return JSONResponse({"detail": exc.render(config.lang)}, status_code=409)
        out = write_consolidated(c, work / "tong-hop.xlsx", config.lang, sources=[str(config.inbox.inbox)],
                                 roster=config.roster_path, period=period or None)
        data = out.read_bytes()
        shutil.rmtree(work, ignore_errors=True)
        config.audit.write("consolidated", status=200, ip=client_ip(request), token_id=who.token_id, unit=who.unit,
                           summary=json.loads(json.dumps(c.summary, default=str)))
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=tong-hop.xlsx"})

    return router


def plain_app(config: ServerConfig) -> Any:
    """The page and the API without xlwings Server (what the tests of the API use; `fourgood serve`
    mounts the same router on xlwings Server's app)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(build_router(lambda: config))
    return BodyLimit(app, lambda: config)
