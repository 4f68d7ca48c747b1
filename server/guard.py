"""The server's front door (ASGI middleware, before any route): what every request must pass before
its body is read, and how that body is read.

* Tokens first: an `Authorization` header that is not a valid token is answered 401 before the
  body is read; an address that sent `BAD_TOKENS_PER_MINUTE` wrong tokens in a minute gets 429
  (with Retry-After) for any token until the minute is over. `/api/submit` without a token: 401.
* Rates: `--rate` requests a minute per token on the upload and script routes, `--anonymous-rate`
  per address for those without a token (429 with Retry-After).
* The check pool: an upload whose body has arrived takes a place (running or queued); with every
  place taken the answer is 503 with Retry-After at once. (Places are taken only then, so slow or
  stalled uploads never hold the pool: they are bounded by the body timeout instead.)
* Bodies are bounded on every route: uploads by `--max-upload-mb`, xlwings script calls by
  `SCRIPT_BODY_BYTES`, anything else by `OTHER_BODY_BYTES`; a declared Content-Length over it is
  refused at once, a streamed body when it passes it (413). A body is spooled to disk past
  `SPOOL_BYTES` (a stalled upload holds no memory) and a body that stops arriving for
  `--body-timeout` seconds, or takes ten times that in all, is answered 408.
* Headers: Content-Security-Policy and frame protection on every answer (`security_headers`).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .pool import Busy
from .tokens import TokensUnreadable

UPLOAD_PATHS = ("/api/check", "/api/submit")
SCRIPT_PREFIX = "/xlwings/custom-scripts-call/"
SCRIPT_BODY_BYTES = 1024 * 1024  # a form's sheets as JSON are ~20 KB; 1 MB of cells costs ~0.6 s to check
OTHER_BODY_BYTES = 64 * 1024
FORM_FIELDS_BYTES = 64 * 1024  # the multipart framing around the file
SPOOL_BYTES = 256 * 1024
BAD_TOKENS_PER_MINUTE = 10

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

# The page and the API: nothing from elsewhere, never framed.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# xlwings Server's task pane and add-in files: framed by Office (Excel on the web frames the task pane
# from Office's own domains; desktop Excel shows it in a web view, which frame-ancestors does not
# restrict). Its templates use inline scripts and styles (xlwings Server's base.html).
OFFICE_FRAMES = ("https://*.officeapps.live.com https://*.office.com https://*.office365.com "
                 "https://*.microsoft.com https://*.sharepoint.com https://*.cloud.microsoft")
ADDIN_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
             f"frame-ancestors 'self' {OFFICE_FRAMES}")
PAGE_PREFIXES = ("/api/", "/trang/")


MANIFEST_PATHS = ("/manifest", "/manifest.xml", "/manifest/download")


def configured_host(scope: Scope, public_url: str) -> Scope:
    """The manifest is built from the request's address (xlwings Server's route): give it the
    configured address instead of whatever Host or X-Forwarded-Proto the client sent."""
    if not public_url:
        return scope
    scheme, netloc = public_url.split("://", 1)
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() not in (b"host", b"x-forwarded-proto",
                                                                                b"x-forwarded-host")]
    return {**scope, "scheme": scheme, "headers": [*headers, (b"host", netloc.encode("latin-1", "replace"))]}


def is_page(path: str) -> bool:
    return path == "/" or path.startswith(PAGE_PREFIXES)


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    if is_page(path):
        return [(b"content-security-policy", PAGE_CSP.encode()), (b"x-frame-options", b"DENY"),
                (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
    return [(b"content-security-policy", ADDIN_CSP.encode()), (b"x-content-type-options", b"nosniff")]


def body_limit(config: Any, path: str, method: str) -> tuple[int, str]:
    """(bytes, the refusal's code) for a request's body."""
    if method == "POST" and path in UPLOAD_PATHS:
        return config.max_upload + FORM_FIELDS_BYTES, "http_too_large"
    if path.startswith(SCRIPT_PREFIX):
        return SCRIPT_BODY_BYTES, "http_body_too_large"
    return OTHER_BODY_BYTES, "http_body_too_large"


def client_ip(scope: Scope) -> str:
    client = scope.get("client") or ("", 0)
    return str(client[0])


def bearer(headers: dict[bytes, bytes]) -> str:
    """The token of an Authorization header ("" for none, or for a bare "Bearer")."""
    text = headers.get(b"authorization", b"").decode("latin-1").strip()
    if text.lower().startswith("bearer"):
        text = text[6:].strip()
    return text


class Guard:
    def __init__(self, app: Any, get_config: Callable[[], Any]):
        self.app = app
        self.get_config = get_config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        extra = security_headers(path)

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                   *((k, v) for k, v in extra if k not in names)]}
            await send(message)

        if path.rstrip("/") in MANIFEST_PATHS:
            scope = configured_host(scope, self.get_config().public_url)
        await self._guarded(scope, receive, send_with_headers)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        from .answers import answer

        config = self.get_config()
        path, method, ip = scope.get("path", ""), scope.get("method", ""), client_ip(scope)
        headers = dict(scope.get("headers") or [])
        now = time.monotonic()
        token = bearer(headers)
        state = scope.setdefault("state", {})
        refusal: Any = None
        if token:
            wait = config.bad_tokens.wait(ip, now, count=False)
            if wait:
                refusal = answer(config, 429, "http_bad_token_rate", value=wait, retry=wait)
            else:
                try:
                    who = config.tokens.verify(token)
                except TokensUnreadable:  # changed on disk while running: refuse, say so in the log
                    config.audit.write("failed", status=503, ip=ip, path=path, reason="tokens.json unreadable")
                    who, refusal = None, answer(config, 503, "http_error", retry=60)
                if who is None and refusal is None:
                    config.bad_tokens.note(ip, now)
                    refusal = answer(config, 401, "http_bad_token")
                state["principal"] = who
        elif method == "POST" and path == "/api/submit":
            refusal = answer(config, 401, "http_no_token")
        upload = method == "POST" and path in UPLOAD_PATHS
        if refusal is None and (upload or path.startswith(SCRIPT_PREFIX)):
            who = state.get("principal")
            key, rate = (f"token:{who.token_id}", config.rate_per_minute) if who else (f"ip:{ip}", config.anonymous_rate)
            wait = config.limiter.wait(key, now) if who else config.anonymous_limiter.wait(key, now)
            if wait:
                refusal = answer(config, 429, "http_rate", value=wait, expected=rate, retry=wait)
        if refusal is not None:
            self._audit_refusal(config, refusal, scope, ip, state.get("principal"))
            await refusal(scope, receive, send)
            return
        await self._with_body(config, scope, receive, send, upload)

    async def _admitted(self, config: Any, scope: Scope, receive: Receive, send: Send) -> None:
        """An upload whose body has arrived: a place in the check pool, or 503 at once."""
        from .answers import answer

        try:
            config.pool.admit()
        except Busy:
            wait = config.pool.retry_after()
            refusal = answer(config, 503, "http_busy", value=wait, retry=wait)
            self._audit_refusal(config, refusal, scope, client_ip(scope), scope.get("state", {}).get("principal"))
            await refusal(scope, receive, send)
            return
        released = False

        async def sending(message: Any) -> None:
            # the check is over once the answer starts: free the place before the client can read the
            # answer and send its next form (released after the send, that form raced the release: 503)
            nonlocal released
            if message.get("type") == "http.response.start" and not released:
                released = True
                config.pool.release()
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not released:
                config.pool.release()

    @staticmethod
    def _audit_refusal(config: Any, response: Any, scope: Scope, ip: str, who: Any) -> None:
        from .answers import body_of

        reason = body_of(response).get("code", "")
        fields = {"token_id": who.token_id, "unit": who.unit, "role": who.role} if who else {}
        config.audit.write("refused", status=response.status_code, ip=ip, path=scope.get("path"), reason=reason,
                           **fields)

    async def _with_body(self, config: Any, scope: Scope, receive: Receive, send: Send, upload: bool) -> None:
        from .answers import answer

        path, method, ip = scope.get("path", ""), scope.get("method", ""), client_ip(scope)
        limit, code = body_limit(config, path, method)
        shown = _limit_shown(limit - FORM_FIELDS_BYTES if code == "http_too_large" else limit, code)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        too_large = declared.isdigit() and int(declared) > limit
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, dir=config.inbox.tmp_dir)
        try:
            outcome = "too_large" if too_large else await self._spool(config, receive, spool, limit)
            if outcome == "disconnected":
                return
            if outcome != "ok":
                status, key, expected = ((413, code, shown) if outcome == "too_large" else
                                         (408, "http_body_timeout", _whole(config.body_timeout)))
                response = answer(config, status, key, expected=expected)
                self._audit_refusal(config, response, scope, ip, scope.get("state", {}).get("principal"))
                if status == 408:
                    response.headers["connection"] = "close"
                await response(scope, receive, send)
                return
            spool.seek(0)
            if upload:
                await self._admitted(config, scope, _replay(spool, receive), send)
            else:
                await self.app(scope, _replay(spool, receive), send)
        finally:
            spool.close()

    @staticmethod
    async def _spool(config: Any, receive: Receive, spool: Any, limit: int) -> str:
        """Read the body into `spool`: "ok", "too_large", "timeout" or "disconnected"."""
        size = 0
        deadline = time.monotonic() + config.body_timeout * 10
        while True:
            left = min(config.body_timeout, deadline - time.monotonic())
            try:
                message = await asyncio.wait_for(receive(), timeout=max(left, 0.01))
            except TimeoutError:
                return "timeout"
            if message["type"] == "http.disconnect":
                return "disconnected"
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                return "too_large"
            if body:
                spool.write(body)
            if not message.get("more_body", False):
                return "ok"


def _replay(spool: Any, receive: Receive) -> Receive:
    done = False

    async def replay() -> MutableMapping[str, Any]:
        nonlocal done
        if done:
            return await receive()
        chunk = spool.read(64 * 1024)
        more = bool(chunk) and spool.tell() < _size(spool)
        if not more:
            done = True
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay


def _size(spool: Any) -> int:
    here = spool.tell()
    spool.seek(0, 2)
    end = spool.tell()
    spool.seek(here)
    return int(end)


def _whole(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x


def _limit_shown(limit: int, code: str) -> float | int:
    """The limit as people read it: MB for files (0,5 MB, never "0 MB"), KB for other bodies."""
    unit = 1024 * 1024 if code == "http_too_large" else 1024
    return _whole(round(limit / unit, 2))
