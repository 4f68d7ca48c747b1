"""The server's configuration: what `fourgood serve` was given, the state it keeps and the limits it
applies, checked at start so that nothing fails later (ServeError: one readable line, exit code 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .audit import AuditLog
from .checking import Roster
from .inbox import Inbox
from .limits import RateLimiter
from .tokens import TokenStore, TokensUnreadable

if TYPE_CHECKING:
    from fourgood.spec import SpecSource

    from .pool import CheckPool  # Unix only (resource limits, fork server): loaded when a server is configured


class ServeError(Exception):
    """A refusal to start, said in one readable line (exit code 2)."""


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
        from .pool import CheckPool

        self.tokens = TokenStore(self.inbox.tokens_path)
        self.audit = AuditLog(self.inbox.audit_path, self.audit_max_bytes)
        self.limiter = RateLimiter(self.rate_per_minute)
        self.anonymous_limiter = RateLimiter(self.anonymous_rate)
        self.bad_tokens = RateLimiter(BAD_TOKENS_PER_MINUTE)
        self.pool = CheckPool(self.workers, self.queue, self.check_seconds)


def make_config(inbox: str, roster: str | None, *, state: str | None = None, criteria: SpecSource = None,
                max_upload_mb: float = 10, rate: int = 30, lang: str = "vi", **limits: Any) -> ServerConfig:
    """The server's configuration; refuses (ServeError) what would make it fail later: a missing
    roster, an unreadable tokens.json (the file and the line are said)."""
    from fourgood import load_specs

    if roster and not Path(roster).is_file():
        raise ServeError(f"Không tìm thấy danh sách chi bộ “{roster}”.")
    box = Inbox.open(inbox, state)
    box.recover()
    try:
        TokenStore(box.tokens_path).read()
    except TokensUnreadable as exc:
        where = f", dòng {exc.line}" if exc.line else ""
        raise ServeError(f"Tệp mã truy cập “{exc.path}” bị hỏng{where} ({exc.reason}): máy chủ không chạy khi chưa "
                         f"đọc được các mã truy cập. Hãy khôi phục tệp từ bản sao lưu.") from None
    return ServerConfig(inbox=box, roster=Roster.read(roster), roster_path=str(Path(roster).resolve()) if roster else None,
                        specs=load_specs(criteria), max_upload=int(max_upload_mb * 1024 * 1024), rate_per_minute=rate,
                        lang=lang, **limits)
