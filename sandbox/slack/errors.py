"""Slack's error answers."""

from __future__ import annotations


class SlackError(Exception):
    """A Web API method refused the call; Slack answers HTTP 200 with {"ok": false, "error": code}."""

    def __init__(self, code: str, **extra: object) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, object]:
        """The JSON body Slack sends for this error."""
        return {"ok": False, "error": self.code, **self.extra}
