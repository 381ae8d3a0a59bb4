"""Per-company request limits as QBO enforces them: per minute, per second, and batch per minute."""
from collections import deque


def admit(store, realm_id, is_batch, now):
    """Record a request if every sliding window has room, else refuse it; call with the store lock held."""
    settings = store.settings
    if not settings.limits_enabled:
        return True
    windows = store.windows.setdefault(realm_id, {"minute": deque(), "second": deque(), "batch": deque()})
    checks = [("minute", 60, settings.per_minute), ("second", 1, settings.per_second)]
    if is_batch:
        checks.append(("batch", 60, settings.batch_per_minute))
    for name, span, cap in checks:
        window, horizon = windows[name], now - settings.scaled(span)
        while window and window[0] <= horizon:
            window.popleft()
        if len(window) >= cap:
            return False
    for name, _, _ in checks:
        windows[name].append(now)
    return True
