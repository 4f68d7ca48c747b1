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
import math
import os
import re
import secrets
import shutil
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
ROLES = ("unit", "board")


def state_dir_for(inbox: Path) -> Path:
    """The server's state folder: a sibling of the inbox, so the inbox holds forms only."""
    inbox = Path(inbox).resolve()
    return inbox.with_name(inbox.name + ".fourgood")


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            h.update(chunk)
    return h.hexdigest()


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


def _write_new(tmp_dir: Path, final: Path, source: bytes | Path, *, link: bool = True) -> bool:
    """Write `source` (bytes, or a file to copy) to `final` atomically, never replacing an existing
    file. True if written, False if `final` already existed (then it is left as it was).

    With `link` the file is written in `tmp_dir` and hard-linked to its name (which refuses an
    existing name). Without (a state folder on another file system, a share or FAT without hard
    links) it is written beside `final` under a hidden name that no reader takes for a form, and
    renamed; the callers hold `Inbox.lock`, so nothing else writes that name meanwhile. The
    temporary file is removed whatever happens."""
    if final.exists():
        return False
    folder = tmp_dir if link else final.parent
    tmp = folder / f"._fourgood-{final.name}.{uuid.uuid4().hex}.part"
    try:
        with open(tmp, "xb") as f:
            if isinstance(source, Path):
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, f, 1024 * 1024)
            else:
                f.write(source)
            f.flush()
            os.fsync(f.fileno())
        if link:
            try:
                os.link(tmp, final)  # fails if the name exists: never overwrite
            except FileExistsError:
                return False
        else:
            if final.exists():
                return False
            os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(final.parent)
    return True


def links_work(tmp_dir: Path, folder: Path) -> bool:
    """Whether a file in `tmp_dir` can be hard-linked into `folder` (same file system, links supported)."""
    probe = tmp_dir / f"._fourgood-probe.{uuid.uuid4().hex}.part"
    target = folder / f"._fourgood-probe.{uuid.uuid4().hex}.part"
    try:
        probe.write_bytes(b"")
        os.link(probe, target)
        return True
    except OSError:
        return False
    finally:
        probe.unlink(missing_ok=True)
        target.unlink(missing_ok=True)


@dataclass
class Inbox:
    inbox: Path
    state: Path
    link: bool = True  # forms reach the inbox by a hard link from tmp/ (else: a hidden file beside them)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, inbox: str | Path, state: str | Path | None = None) -> Inbox:
        inbox = Path(inbox).resolve()
        box = cls(inbox, Path(state).resolve() if state else state_dir_for(inbox))
        for d in (box.inbox, box.state, box.receipts_dir, box.tmp_dir):
            d.mkdir(parents=True, exist_ok=True)
        box.link = links_work(box.tmp_dir, box.inbox) and links_work(box.tmp_dir, box.receipts_dir)
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
        """At start-up: remove what a crash left in tmp/ and the hidden partial files of the
        no-hard-link mode; never a form."""
        removed = []
        for p in self.tmp_dir.iterdir():  # files being written, and the uploads of checks in progress
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p.name)
        for folder in (self.inbox, self.receipts_dir):
            for p in folder.glob("._fourgood-*.part"):
                p.unlink(missing_ok=True)
                removed.append(p.name)
        return removed

    def form_path(self, sha256: str, ext: str) -> Path:
        if not SHA_RE.match(sha256) or not re.fullmatch(r"\.[a-z]{3,4}", ext):
            raise ValueError("bad content name")
        return self.inbox / f"{sha256}{ext}"

    def store(self, source: Path, ext: str, fields: dict[str, Any],
              commit: Callable[[dict[str, Any]], None] = lambda receipt: None) -> dict[str, Any]:
        """Keep the form (once per content) and write a new receipt for this submission, then
        `commit` (the audit line). All or nothing: if the receipt or `commit` fails, the receipt
        and a form stored by this call are removed again and the error is raised."""
        sha = _sha256_file(source)
        path = self.form_path(sha, ext)
        with self.lock:  # one submission at a time lands (a rollback never removes another's form)
            stored_now = _write_new(self.tmp_dir, path, source, link=self.link)
            at = now_utc()
            receipt_id = f"{at.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(6)}"
            receipt = {"receipt_id": receipt_id, "sha256": sha, "stored_as": path.name, "size": source.stat().st_size,
                       "already_in_inbox": not stored_now, **fields,
                       "received_at": at.isoformat().replace("+00:00", "Z")}
            receipt_path = self.receipts_dir / f"{receipt_id}.json"
            try:
                _write_new(self.tmp_dir, receipt_path, json.dumps(receipt, ensure_ascii=False, indent=2).encode("utf-8"),
                           link=self.link)
                commit(receipt)
            except BaseException:
                receipt_path.unlink(missing_ok=True)
                if stored_now:
                    path.unlink(missing_ok=True)
                _fsync_dir(self.inbox)
                raise
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
    """One JSON line per submission and refusal, appended under a lock. When the file passes
    `max_bytes` it is renamed `audit-<UTC time>.jsonl` (never deleted) and a new one begun.

    A refusal's line is best effort: a failure to write it is reported on stderr and never
    changes the answer. An acceptance's line is `strict`: the failure is raised, and the
    submission is rolled back (`Inbox.store`)."""

    def __init__(self, path: Path, max_bytes: int = 10 * 1024 * 1024):
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    def write(self, event: str, *, strict: bool = False, **fields: Any) -> None:
        line = json.dumps({"at": now_utc().isoformat().replace("+00:00", "Z"), "event": event, **fields},
                          ensure_ascii=False, default=str)
        try:
            with self._lock:
                self._rotate()
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(line + "\n")
                    f.flush()
                    if strict:
                        os.fsync(f.fileno())
        except OSError as exc:
            if strict:
                raise
            print(f"fourgood serve: không ghi được nhật ký {self.path}: {exc}", file=sys.stderr)

    def _rotate(self) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size < self.max_bytes:
            return
        stamp = now_utc().strftime("%Y%m%dT%H%M%SZ")
        target = self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.stem}-{stamp}-{n}{self.path.suffix}")
        os.replace(self.path, target)

    def rotated(self) -> list[Path]:
        return sorted(self.path.parent.glob(f"{self.path.stem}-*{self.path.suffix}"))


# ---- tokens -------------------------------------------------------------------------------------

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
    """At most `per_minute` requests per key in any 60-second window (0: no limit)."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._hits: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float) -> bool:
        return self.wait(key, now) == 0

    def wait(self, key: str, now: float, count: bool = True) -> int:
        """0 if allowed (and counted, with `count`); else the seconds until it would be."""
        if self.per_minute <= 0:
            return 0
        with self._lock:
            hits = [t for t in self._hits.get(key, []) if now - t < 60.0]
            if len(hits) >= self.per_minute:
                self._hits[key] = hits
                return max(1, math.ceil(60.0 - (now - hits[0])))
            if count:
                hits.append(now)
            if hits:
                self._hits[key] = hits
            else:
                self._hits.pop(key, None)
            if len(self._hits) > 100_000:  # forget idle keys: the table never grows without bound
                self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < 60.0}
            return 0

    def note(self, key: str, now: float) -> None:
        """Count one event (a wrong token) without asking."""
        with self._lock:
            self._hits.setdefault(key, []).append(now)
