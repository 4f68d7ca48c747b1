"""The HTTP API and the check-and-submit page (FastAPI), over the core's public API.

    GET  /                      the page (Vietnamese): check a form, submit it with a token
    POST /api/check             multipart `file` -> one element of `fourgood validate --json`
    POST /api/submit            same, `Authorization: Bearer TOKEN` -> a receipt (201)
    GET  /api/inbox             board: the receipts
    GET  /api/inbox/{sha256}    board: one stored form
    POST /api/consolidate       board: the consolidated workbook of the inbox (.xlsx)
    GET  /api/whoami            the unit and role of a token

Every request passes the `Guard` first (guard.py: tokens, rates, the check pool's places, bounded
bodies, headers); checks run in the bounded pool of limited processes (pool.py). The validators
refuse zip bombs, XML entities, encrypted files and sheets no form can have themselves. Every
answer that is not a result is JSON `{"code", "detail"}`, the detail from the message catalogue.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, File, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from fourgood.problems import Problem

from .checking import Roster, display_name, save_upload
from .pool import CheckPool, Overrun
from .store import AuditLog, Inbox, Principal, RateLimiter, TokenStore

WEB = Path(__file__).parent / "web"


@dataclass
class ServerConfig:
    inbox: Inbox
    roster: Roster
    roster_path: str | None
    specs: dict[str, Any]
    max_upload: int = 10 * 1024 * 1024
    rate_per_minute: int = 30
    lang: str = "vi"
    anonymous_rate: int = 30  # checks a minute per address without a token (0: no limit)
    body_timeout: float = 30.0  # seconds a body may stop arriving (ten times that in all)
    workers: int = 2
    queue: int = 32
    check_seconds: float = 5.0
    audit_max_bytes: int = 10 * 1024 * 1024
    public_url: str = ""  # the add-in's address (`fourgood.server.public_url`), never a request's Host
    tokens: TokenStore = field(init=False)
    audit: AuditLog = field(init=False)
    limiter: RateLimiter = field(init=False)
    anonymous_limiter: RateLimiter = field(init=False)
    bad_tokens: RateLimiter = field(init=False)
    pool: CheckPool = field(init=False)

    def __post_init__(self) -> None:
        from .guard import BAD_TOKENS_PER_MINUTE

        self.tokens = TokenStore(self.inbox.tokens_path)
        self.audit = AuditLog(self.inbox.audit_path, self.audit_max_bytes)
        self.limiter = RateLimiter(self.rate_per_minute)
        self.anonymous_limiter = RateLimiter(self.anonymous_rate)
        self.bad_tokens = RateLimiter(BAD_TOKENS_PER_MINUTE)
        self.pool = CheckPool(self.workers, self.queue, self.check_seconds)


def message(config: ServerConfig, code: str, *, value: Any = None, expected: Any = None, **params: Any) -> str:
    """A server answer's text from the catalogue, in the server's language."""
    return Problem(code, value=value, expected=expected, params=params).message(config.lang)


def answer(config: ServerConfig, status: int, code: str, *, retry: int | None = None, value: Any = None,
           expected: Any = None, extra: dict[str, Any] | None = None, **params: Any) -> JSONResponse:
    """Every answer that is not a result: JSON with its `code` and `detail` (catalogue text)."""
    body = {"code": code, "detail": message(config, code, value=value, expected=expected, **params), **(extra or {})}
    headers = {"Retry-After": str(retry)} if retry else None
    return JSONResponse(body, status_code=status, headers=headers)


def body_of(response: JSONResponse) -> dict[str, Any]:
    """The JSON an answer carries (to audit its code)."""
    data: dict[str, Any] = json.loads(bytes(response.body))
    return data


def principal_of(request: Request) -> Principal | None:
    """The token's principal, verified by the Guard before the body was read (None: no token)."""
    who = request.scope.get("state", {}).get("principal")
    return who if isinstance(who, Principal) else None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def build_router(get_config: Any) -> APIRouter:
    router = APIRouter()

    async def received(file: Any, config: ServerConfig, work: Path) -> tuple[Path, str] | JSONResponse:
        """The upload saved in `work` under its content hash (streamed: never whole in memory)."""
        if file is None or not hasattr(file, "file"):
            return answer(config, 400, "http_no_file")
        from starlette.concurrency import run_in_threadpool

        path = await run_in_threadpool(save_upload, file.file, work, config.max_upload)
        if path is None:
            return answer(config, 400, "http_empty")
        if path.stat().st_size > config.max_upload:
            from .guard import _limit_shown

            return answer(config, 413, "http_too_large", expected=_limit_shown(config.max_upload, "http_too_large"))
        return path, display_name(file.filename)

    async def checked(config: ServerConfig, path: Path, name: str) -> dict[str, Any] | JSONResponse:
        from starlette.concurrency import run_in_threadpool

        try:
            obj, _ = await run_in_threadpool(config.pool.run, path, name, config.specs, config.lang)
        except Overrun:
            return answer(config, 422, "http_check_limit", expected=config.check_seconds)
        return obj

    @router.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse((WEB / "index.html").read_text(encoding="utf-8"))

    @router.get("/trang/{name}")
    def asset(name: str) -> Response:
        if name not in {"app.js", "style.css"}:
            return answer(get_config(), 404, "http_no_page")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((WEB / name).read_bytes(), media_type=f"{media}; charset=utf-8")

    @router.post("/api/check")
    async def api_check(request: Request, file: Any = File(None)) -> Any:
        config: ServerConfig = get_config()
        work = Path(tempfile.mkdtemp(prefix="check-", dir=config.inbox.tmp_dir))
        try:
            got = await received(file, config, work)
            if isinstance(got, JSONResponse):
                return got
            return await checked(config, *got)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    @router.post("/api/submit")
    async def api_submit(request: Request, file: Any = File(None)) -> Any:
        config: ServerConfig = get_config()
        who = principal_of(request)
        if who is None:  # the Guard refuses a submission without a valid token; never reached
            return answer(config, 401, "http_no_token")
        base: dict[str, Any] = {"ip": client_ip(request), "token_id": who.token_id, "unit": who.unit, "role": who.role,
                "path": "/api/submit"}
        work = Path(tempfile.mkdtemp(prefix="submit-", dir=config.inbox.tmp_dir))
        try:
            got = await received(file, config, work)
            if isinstance(got, JSONResponse):
                config.audit.write("refused", status=got.status_code, reason=body_of(got)["code"], **base)
                return got
            path, name = got
            sha = path.stem
            base.update(sha256=sha, file=name)
            obj = await checked(config, path, name)
            if isinstance(obj, JSONResponse):
                config.audit.write("refused", status=obj.status_code, reason="http_check_limit", **base)
                return obj
            refusal = _refusal(config, who, obj)
            if refusal is not None:
                config.audit.write("refused", status=refusal.status_code, cell_code=obj.get("cell_code"),
                                   reason=body_of(refusal)["reason"], **base)
                return refusal
            return await _accept(config, who, obj, path, base)
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def board(request: Request, config: ServerConfig, path: str) -> Principal | JSONResponse:
        who = principal_of(request)
        if who is None:
            config.audit.write("refused", status=401, ip=client_ip(request), path=path, reason="http_no_token")
            return answer(config, 401, "http_no_token")
        if who.role != "board":
            config.audit.write("refused", status=403, ip=client_ip(request), path=path, token_id=who.token_id,
                               unit=who.unit, reason="http_board_only")
            return answer(config, 403, "http_board_only")
        return who

    @router.get("/api/whoami")
    def whoami(request: Request) -> Any:
        config: ServerConfig = get_config()
        who = principal_of(request)
        if who is None:
            return answer(config, 401, "http_no_token")
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
            return answer(config, 404, "http_not_found")
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
            return JSONResponse({"code": "consolidate_failed", "detail": exc.render(config.lang)}, status_code=409)
        out = write_consolidated(c, work / "tong-hop.xlsx", config.lang, sources=[str(config.inbox.inbox)],
                                 roster=config.roster_path, period=period or None)
        data = out.read_bytes()
        shutil.rmtree(work, ignore_errors=True)
        config.audit.write("consolidated", status=200, ip=client_ip(request), token_id=who.token_id, unit=who.unit,
                           summary=json.loads(json.dumps(c.summary, default=str)))
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=tong-hop.xlsx"})

    return router


NOT_FORM_WHAT = {"consolidated": ("một bảng tổng hợp", "a consolidated workbook"),
                 "skipped": ("tệp hệ thống", "a system file")}


def _refusal(config: ServerConfig, who: Principal, obj: dict[str, Any]) -> JSONResponse | None:
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
    if refused is None and _code_of(who.unit) == _code_of(obj["cell_code"]) and obj.get("upper_total") is not None:
        refused = ("http_upper_by_cell", _code_of(obj["cell_code"]), None)
    if refused is None:
        return None
    code, value, expected = refused
    return answer(config, 403, code, value=value, expected=expected, extra={"check": obj, "reason": code})


async def _accept(config: ServerConfig, who: Principal, obj: dict[str, Any], path: Path,
                  base: dict[str, Any]) -> JSONResponse:
    """Store the form with its receipt and audit line, all or nothing (500 said and audited)."""
    from starlette.concurrency import run_in_threadpool

    from .checking import sniff_file_extension

    fields = {"cell_code": obj["cell_code"], "period": obj["period"], "year": obj["year"],
              "self_total": obj["self_total"], "upper_total": obj["upper_total"], "status": obj["status"],
              "file": base["file"], "unit": who.unit, "token_id": who.token_id,
              "warnings": sum(1 for e in obj["errors"] if e["severity"] == "warning")}

    def commit(receipt: dict[str, Any]) -> None:
        config.audit.write("accepted", strict=True, status=201, receipt_id=receipt["receipt_id"],
                           cell_code=obj["cell_code"], period=obj["period"], **base)

    try:
        receipt = await run_in_threadpool(config.inbox.store, path, sniff_file_extension(path), fields, commit)
    except OSError as exc:
        config.audit.write("failed", status=500, reason=f"{type(exc).__name__}: {exc}", **base)
        return answer(config, 500, "http_store_failed")
    return JSONResponse(receipt, status_code=201)


def _code_of(text: Any) -> str:
    from .checking import _code

    return _code(text)


def install_answers(app: Any, get_config: Any) -> None:
    """FastAPI's and Starlette's own answers (422 validation lists, 404, 405, "An error occurred.")
    as the server's JSON, in the catalogue's words."""
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
        import logging

        logging.getLogger("fourgood.server").exception("unexpected error on %s", request.url.path)
        config = get_config()
        config.audit.write("failed", status=500, ip=client_ip(request), path=request.url.path,
                           reason=f"{type(exc).__name__}: {str(exc)[:200]}")
        return answer(config, 500, "http_error")

    async def unreadable(request: Request, exc: Exception) -> JSONResponse:
        return answer(get_config(), 400, "http_bad_request", value="body")

    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(json.JSONDecodeError, unreadable)  # a script call whose body is not JSON
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, crashed)


def plain_app(config: ServerConfig) -> Any:
    """The page and the API without xlwings Server (what the tests of the API use; `fourgood serve`
    mounts the same router on xlwings Server's app)."""
    from .guard import Guard

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(build_router(lambda: config))
    install_answers(app, lambda: config)
    return Guard(app, lambda: config)
