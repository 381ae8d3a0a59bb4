"""Times as Slack's clients show them: message times, day dividers and <!date^...> tokens, in the viewer's zone.

The tokens follow Slack's "Formatting text for app surfaces", section "Date formatting"
(https://docs.slack.dev/messaging/formatting-message-text/#date-formatting) and the date element's
format strings (https://docs.slack.dev/reference/block-kit/block-elements/date-element). The sandbox's
viewer zone is the machine's local time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_TOKEN = re.compile(r"\{([a-z_]+)\}")


def local(stamp: float) -> datetime:
    """A Unix time in the viewer's zone."""
    return datetime.fromtimestamp(stamp).astimezone()


def clock(moment: datetime, seconds: bool = False) -> str:
    """'6:39 AM' (or '6:39:42 AM'), as Slack's {time} and message headers show it."""
    shown = f"{moment.hour % 12 or 12}:{moment.minute:02d}" + (f":{moment.second:02d}" if seconds else "")
    return shown + (" AM" if moment.hour < 12 else " PM")


def _ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _relative(day: date, today: date) -> str | None:
    return {0: "today", -1: "yesterday", 1: "tomorrow"}.get((day - today).days)


def _ago(moment: datetime, now: datetime) -> str:
    seconds = int((now - moment).total_seconds())
    future, seconds = seconds < 0, abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            amount = f"{count} {unit}{'s' if count > 1 else ''}"
            return f"in {amount}" if future else f"{amount} ago"
    return "just now"


def token(name: str, moment: datetime, now: datetime) -> str | None:
    """One {token} of a date format, or None when Slack has no such token."""
    day, today = moment.date(), now.date()
    long_date = f"{moment:%B} {_ordinal(day.day)}, {day.year}"
    weekday_long = f"{moment:%A}, {long_date}"
    short = f"{moment:%b} {day.day}, {day.year}"
    relative = _relative(day, today)
    formats = {
        "date_num": day.isoformat(),
        "date_slash": f"{day.day:02d}/{day.month:02d}/{day.year}",
        "date": long_date,
        "date_long": weekday_long,
        "date_long_full": f"{moment:%B} {day.day}, {day.year}",
        "date_short": short,
        "date_pretty": relative or long_date,
        "date_long_pretty": relative or weekday_long,
        "date_short_pretty": relative or short,
        "day_divider_pretty": day_divider(moment, now),
        "time": clock(moment),
        "time_secs": clock(moment, seconds=True),
        "ago": _ago(moment, now),
    }
    return formats.get(name)


def formatted(stamp: int, template: str, now: datetime) -> str | None:
    """A <!date^stamp^template> token's text, or None if the template uses a token Slack does not know."""
    moment = local(stamp)
    missing = False

    def substitute(match: re.Match) -> str:
        nonlocal missing
        text = token(match.group(1), moment, now)
        missing = missing or text is None
        return text or ""

    text = _TOKEN.sub(substitute, template)
    return None if missing else text


def day_divider(moment: datetime, now: datetime) -> str:
    """'Today', 'Yesterday', 'Thursday, November 19th' (this year) or with the year, as channel dividers read."""
    relative = _relative(moment.date(), now.date())
    if relative:
        return relative.capitalize()
    shown = f"{moment:%A}, {moment:%B} {_ordinal(moment.day)}"
    return shown if moment.year == now.year else f"{shown}, {moment.year}"


def same_day(a: float, b: float) -> bool:
    """Whether two Unix times fall on the same local day."""
    return local(a).date() == local(b).date()


def ts_order(ts: str) -> tuple[int, int]:
    """A Slack ts ("1700000000.000100") as a sort key exact to the microsecond, unlike float()."""
    seconds, _, micros = str(ts).partition(".")
    return int(seconds or 0), int(micros.ljust(6, "0")[:6] or 0)
