"""Rate limits: at most so many requests a minute per key (a token, an address); the Guard applies them."""

from __future__ import annotations

import math
import threading


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
