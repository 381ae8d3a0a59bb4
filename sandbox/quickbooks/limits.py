"""Per-company request limits as QBO enforces them: per minute, per second, and batch per minute."""

from bisect import bisect_left, bisect_right, insort


def admit(store, realm_id, is_batch, arrived):
    """Count a request that arrived at `arrived` if every sliding window has room, else refuse it (store lock held)."""
    settings = store.settings
    if not settings.limits_enabled:
        return True
    windows = store.windows.setdefault(realm_id, {"minute": [], "second": [], "batch": []})
    checks = [("minute", settings.scaled(60), settings.per_minute), ("second", settings.scaled(1), settings.per_second)]
    if is_batch:
        checks.append(("batch", settings.scaled(60), settings.batch_per_minute))
    for name, span, cap in checks:
        window = windows[name]
        # Requests wait for the store lock far less than a span, so older entries can no longer count.
        del window[: bisect_right(window, arrived - 2 * span)]
        if not _room(window, arrived, span, cap):
            return False
    for name, _, _ in checks:
        insort(windows[name], arrived)
    return True


def _room(window, arrived, span, cap):
    """Whether one more request at `arrived` keeps every `span`-long stretch around it within `cap`.

    Requests reach the lock out of arrival order, so stretches ending at later arrivals are checked too."""
    ends = [arrived, *window[bisect_right(window, arrived) : bisect_left(window, arrived + span)]]
    return all(bisect_right(window, end) - bisect_right(window, end - span) < cap for end in ends)
