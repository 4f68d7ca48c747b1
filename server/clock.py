"""The server's clock: UTC to the second, written the one way receipts, tokens and the audit log use."""

from __future__ import annotations

import datetime as dt


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def utc_text(at: dt.datetime | None = None) -> str:
    """`2026-11-20T08:15:00Z`: `at`, else now."""
    return (at or now_utc()).isoformat().replace("+00:00", "Z")
