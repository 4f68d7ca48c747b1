"""The inbox of accepted forms and their receipts, on disk; no web framework here.

Layout (README, "The province's server"):

    INBOX/                      accepted forms only, named <sha256>.<ext> -- `fourgood consolidate INBOX`
    INBOX.fourgood/             the server's own state, beside the inbox (never read as forms)
        receipts/<receipt_id>.json   one receipt per accepted submission
        tokens.json                  tokens, hashed (salt + sha256), never the tokens themselves (tokens.py)
        audit.jsonl                  one JSON line per submission and refusal (audit.py)
        tmp/                         files being written; emptied at start-up

A form reaches the inbox in one rename from `tmp/` (same file system), after its bytes are
fsynced, and is never overwritten (a hard link refuses an existing name); its receipt is written
only once the form is durable. A crash can leave a `.part` file in `tmp/`, never in the inbox.
`fourgood.atomic` replaces a file; a form or a receipt must never replace one, hence `_write_new`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fourgood.atomic import fsync_dir

from .clock import now_utc, utc_text

SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def state_dir_for(inbox: Path) -> Path:
    """The server's state folder: a sibling of the inbox, so the inbox holds forms only."""
    inbox = Path(inbox).resolve()
    return inbox.with_name(inbox.name + ".fourgood")


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
    fsync_dir(final.parent)
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
                       "received_at": utc_text(at)}
            receipt_path = self.receipts_dir / f"{receipt_id}.json"
            try:
                _write_new(self.tmp_dir, receipt_path, json.dumps(receipt, ensure_ascii=False, indent=2).encode("utf-8"),
                           link=self.link)
                commit(receipt)
            except BaseException:
                receipt_path.unlink(missing_ok=True)
                if stored_now:
                    path.unlink(missing_ok=True)
                fsync_dir(self.inbox)
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

