"""What the server keeps on disk: the inbox of accepted forms, their receipts, the tokens and the
audit log. No web framework here; everything is plain files written atomically.

Layout (README, "The province's server"):

    INBOX/                      accepted forms only, named <sha256>.<ext> -- `fourgood consolidate INBOX`
    INBOX.fourgood/             the server's own state, beside the inbox (never read as forms)
        receipts/<receipt_id>.json   one receipt per accepted submission
        tokens.json                  tokens, hashed (salt + sha256), never the tokens themselves
        audit.jsonl                  one JSON line per submission and refusal
        tmp/                         files being written; emptied at start-up

A form reaches the inbox in one rename from `tmp/` (same file system), after its bytes are
fsynced, and is never overwritten (a hard link refuses an existing name); its receipt is written
only once the form is durable. A crash can leave a `.part` file in `tmp/`, never in the inbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
ROLES = ("unit", "board")


def state_dir_for(inbox: Path) -> Path:
    """The server's state folder: a sibling of the inbox, so the inbox holds forms only."""
    inbox = Path(inbox).resolve()
    return inbox.with_name(inbox.name + ".fourgood")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_new(tmp_dir: Path, final: Path, data: bytes) -> bool:
    """Write `data` to `final` atomically, never replacing an existing file. True if written,
    False if `final` already existed (then it is left as it was)."""
    if final.exists():
        return False
    tmp = tmp_dir / f"{final.name}.{uuid.uuid4().hex}.part"
    with open(tmp, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, final)  # fails if the name exists: never overwrite
        written = True
    except FileExistsError:
        written = False
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(final.parent)
    return written


@dataclass
class Inbox:
    inbox: Path
    state: Path

    @classmethod
    def open(cls, inbox: str | Path, state: str | Path | None = None) -> Inbox:
        inbox = Path(inbox).resolve()
        box = cls(inbox, Path(state).resolve() if state else state_dir_for(inbox))
        for d in (box.inbox, box.state, box.receipts_dir, box.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
        return box

    @property
    def receipts_dir(self) -> Path:
        return self.state / "receipts"

    @property
    def tmp_dir(self) -> Path:
        return self.state / "tmp"

    @property
    def audit_path(self) -> Path:
        return self.state / "audit.jsonl"

    @property
    def tokens_path(self) -> Path:
        return self.state / "tokens.json"

    def recover(self) -> list[str]:
        """At start-up: remove the partial files a crash left in tmp/ (never in the inbox)."""
        removed = []
        for p in self.tmp_dir.glob("*.part"):
            p.unlink(missing_ok=True)
            removed.append(p.name)
        return removed

    def form_path(self, sha256: str, ext: str) -> Path:
        if not SHA_RE.match(sha256) or not re.fullmatch(r"\.[a-z]{3,4}", ext):
            raise ValueError("bad content name")
        return self.inbox / f"{sha256}{ext}"

    def store(self, data: bytes, ext: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Keep the form (once per content) and write a new receipt for this submission."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.form_path(sha, ext)
        stored_now = _write_new(self.tmp_dir, path, data)
        at = now_utc()
        receipt_id = f"{at.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(6)}"
        receipt = {"receipt_id": receipt_id, "sha256": sha, "stored_as": path.name, "size": len(data),
                   "already_in_inbox": not stored_now, **fields, "received_at": at.isoformat().replace("+00:00", "Z")}
        _write_new(self.tmp_dir, self.receipts_dir / f"{receipt_id}.json",
                   json.dumps(receipt, ensure_ascii=False, indent=2).encode("utf-8"))
        return receipt

    def receipts(self) -> list[dict[str, Any]]:
        out = []
        for p in sorted(self.receipts_dir.glob("*.json")):
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return out

    def find_form(self, sha256: str) -> Path | None:
        if not SHA_RE.match(sha256):
            return None
        for p in self.inbox.glob(f"{sha256}.*"):
            return p
        return None


class AuditLog:
    """One JSON line per submission and refusal, appended under a lock."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def write(self, event: str, **fields: Any) -> None:
        line = json.dumps({"at": now_utc().isoformat().replace("+00:00", "Z"), "event": event, **fields},
                          ensure_ascii=False)
        with self._lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()


# ---- tokens -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Principal:
    token_id: str
    unit: str
    role: str


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


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
        data = json.loads(self.path.read_text(encoding="utf-8"))
        self._cache = (mtime, data)
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.part")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=2)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)
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
                "created": now_utc().isoformat().replace("+00:00", "Z"), "revoked": None}]}
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
                    t = {**t, "revoked": now_utc().isoformat().replace("+00:00", "Z")}
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


class RateLimiter:
    """At most `per_minute` requests per key in any 60-second window."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        with self._lock:
            hits = [t for t in self._hits.get(key, []) if now - t < 60.0]
            if len(hits) >= self.per_minute:
                self._hits[key] = hits
                return False
            hits.append(now)
            self._hits[key] = hits
            return True
