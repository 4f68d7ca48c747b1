"""Access tokens: who may submit (a unit) and who may read and consolidate the inbox (the board).

`tokens.json` keeps each token's id, unit, role, a per-token salt and sha256(salt + secret), never
a token itself; it is replaced atomically and durably (`fourgood.atomic`), readable by its owner only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fourgood.atomic import atomic_path

from .clock import utc_text

ROLES = ("unit", "board")


@dataclass(frozen=True)
class Principal:
    token_id: str
    unit: str
    role: str


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


class TokensUnreadable(Exception):
    """tokens.json cannot be read: the server refuses to start (the file and the line are said)."""

    def __init__(self, path: Path, line: int, reason: str):
        super().__init__(f"{path}: {reason}" + (f" (line {line})" if line else ""))
        self.path, self.line, self.reason = path, line, reason


class TokenStore:
    """Tokens `fg_<id>_<secret>`: the file keeps the id, unit, role, a per-token salt and
    sha256(salt + secret); the secret is shown once, when the token is made."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._cache: tuple[float, dict[str, Any]] | None = None

    def _load(self) -> dict[str, Any]:
        try:
            mtime = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return {"tokens": []}
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        data = self.read()
        self._cache = (mtime, data)
        return data

    def read(self) -> dict[str, Any]:
        """The file's tokens, or TokensUnreadable naming the file and the line."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"tokens": []}
        except (OSError, UnicodeDecodeError) as exc:
            raise TokensUnreadable(self.path, 0, str(exc)) from None
        except json.JSONDecodeError as exc:
            raise TokensUnreadable(self.path, exc.lineno, exc.msg) from None
        tokens = data.get("tokens") if isinstance(data, dict) else None
        if not isinstance(tokens, list) or not all(isinstance(t, dict) and {"id", "unit", "role", "salt", "sha256"}
                                                   <= set(t) for t in tokens):
            raise TokensUnreadable(self.path, 0, "not a list of tokens")
        return data

    def _save(self, data: dict[str, Any]) -> None:
        with atomic_path(self.path, mode=0o600, durable=True) as tmp:
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        self._cache = None

    def add(self, unit: str, role: str) -> tuple[str, str]:
        """A new token for `unit` with `role`; returns (token id, the token -- shown once)."""
        if role not in ROLES:
            raise ValueError(role)
        token_id = secrets.token_hex(4)
        secret = secrets.token_urlsafe(24)
        salt = secrets.token_hex(16)
        with self._lock:
            data = self._load()
            data = {"tokens": [*data.get("tokens", []), {
                "id": token_id, "unit": unit.strip(), "role": role, "salt": salt, "sha256": _hash(salt, secret),
                "created": utc_text(), "revoked": None}]}
            self._save(data)
        return token_id, f"fg_{token_id}_{secret}"

    def list(self) -> list[dict[str, Any]]:
        return [{k: t[k] for k in ("id", "unit", "role", "created", "revoked")} for t in self._load().get("tokens", [])]

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            data = self._load()
            hit = False
            tokens = []
            for t in data.get("tokens", []):
                if t["id"] == token_id and not t["revoked"]:
                    t = {**t, "revoked": utc_text()}
                    hit = True
                tokens.append(t)
            if hit:
                self._save({"tokens": tokens})
        return hit

    def verify(self, header_or_token: str | None) -> Principal | None:
        """The principal of a valid, unrevoked token (`Bearer fg_…` or the bare token), else None."""
        text = (header_or_token or "").strip()
        if text.lower().startswith("bearer "):
            text = text[7:].strip()
        m = re.fullmatch(r"fg_([0-9a-f]{8})_([A-Za-z0-9_\-]{16,64})", text)
        if not m:
            return None
        token_id, secret = m.groups()
        for t in self._load().get("tokens", []):
            if t["id"] == token_id and not t["revoked"] and hmac.compare_digest(t["sha256"], _hash(t["salt"], secret)):
                return Principal(token_id, t["unit"], t["role"])
        return None

