"""The routes' FastAPI dependencies (`Depends`): the configuration, who is asking, the board-only
check and the audit log bound to the request.

Tokens and rate limits are decided earlier, by the Guard (guard.py), before a body is read: a
dependency runs only once FastAPI has read the body, too late to refuse a 10 MB upload cheaply.
Here the Guard's verdict is read back (`principal_of`) and turned into what a route needs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request

from .answers import Refused, answer
from .audit import AuditLog
from .config import ServerConfig
from .tokens import Principal


def principal_of(request: Request) -> Principal | None:
    """The token's principal, verified by the Guard before the body was read (None: no token)."""
    who = request.scope.get("state", {}).get("principal")
    return who if isinstance(who, Principal) else None


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


@dataclass(frozen=True)
class RequestAudit:
    """The audit log bound to one request: every line carries where it came from and who sent it."""

    log: AuditLog
    fields: dict[str, Any]

    def write(self, event: str, *, strict: bool = False, **fields: Any) -> None:
        self.log.write(event, strict=strict, **fields, **self.fields)

    def about(self, **fields: Any) -> RequestAudit:
        """The same, with more to say on every line (the upload's hash and name)."""
        return RequestAudit(self.log, {**self.fields, **fields})


@dataclass(frozen=True)
class Deps:
    """The dependencies of every route, over one source of the configuration (`plain_app`'s, or
    `app.current_config` under xlwings Server)."""

    config: Callable[[], Awaitable[ServerConfig]]
    principal: Callable[[Request], Awaitable[Principal | None]]
    audit: Callable[..., Awaitable[RequestAudit]]
    board: Callable[[str], Callable[..., Awaitable[Principal]]]


def dependencies(get_config: Callable[[], ServerConfig]) -> Deps:
    async def config() -> ServerConfig:
        return get_config()

    async def principal(request: Request) -> Principal | None:
        return principal_of(request)

    async def audit(request: Request, config: ServerConfig = Depends(config)) -> RequestAudit:
        who = principal_of(request)
        whom = {"token_id": who.token_id, "unit": who.unit, "role": who.role} if who else {}
        return RequestAudit(config.audit, {"ip": client_ip(request), **whom, "path": request.url.path})

    def board(path: str) -> Callable[..., Awaitable[Principal]]:
        """The board's principal, or a refusal (401 without a token, 403 for a unit) audited under `path`."""
        async def board_only(request: Request, config: ServerConfig = Depends(config)) -> Principal:
            who = principal_of(request)
            if who is None:
                config.audit.write("refused", status=401, ip=client_ip(request), path=path, reason="http_no_token")
                raise Refused(answer(config, 401, "http_no_token"))
            if who.role != "board":
                config.audit.write("refused", status=403, ip=client_ip(request), path=path, token_id=who.token_id,
                                   unit=who.unit, reason="http_board_only")
                raise Refused(answer(config, 403, "http_board_only"))
            return who

        return board_only

    return Deps(config=config, principal=principal, audit=audit, board=board)
