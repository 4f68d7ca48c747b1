"""The audit log: one JSON line per submission and refusal, rotated by size, never deleted."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

from .clock import now_utc, utc_text


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
        line = json.dumps({"at": utc_text(), "event": event, **fields},
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

