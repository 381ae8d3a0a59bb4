"""The local sandboxes' access log without their pages' polls: a GET of /_sandbox/... is logged at debug, not info.

The Slack sandbox's page asks for its regions every second, and each time its ERP panel reads the local ERP's
/_sandbox/ state: at info, those lines were a third of what `make run` printed. Actions (POSTs) and failed
requests stay at info.
"""

from werkzeug.serving import WSGIRequestHandler

POLLED = "/_sandbox/"


class QuietPolls(WSGIRequestHandler):
    """werkzeug's request handler, logging a successful GET of /_sandbox/... at debug."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """werkzeug's access line, at debug for a poll."""
        # A request line too bad to read has no command or path: it is no poll.
        asked = (getattr(self, "command", None), getattr(self, "path", None) or "")
        self._poll = asked[0] == "GET" and asked[1].startswith(POLLED) and str(code)[:1] in ("2", "3")
        super().log_request(code, size)

    def log(self, type: str, message: str, *args) -> None:
        """werkzeug's log, a poll's access line lowered to debug."""
        super().log("debug" if type == "info" and getattr(self, "_poll", False) else type, message, *args)
