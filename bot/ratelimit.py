"""Per-user question rate limit, shared by every platform (it lives in the core)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque


class RateLimiter:
    """At most `limit` questions per `window` seconds per user (sliding window)."""

    def __init__(self, limit: int, window: float = 60.0, max_users: int = 50_000) -> None:
        self.limit, self.window, self.max_users = limit, window, max_users
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, user: str, now: float | None = None) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self._lock:
            stamps = self._seen.pop(user, None) or deque()
            while stamps and now - stamps[0] >= self.window:
                stamps.popleft()
            allowed = len(stamps) < self.limit
            if allowed:
                stamps.append(now)
            self._seen[user] = stamps
            while len(self._seen) > self.max_users:
                self._seen.popitem(last=False)
            return allowed
