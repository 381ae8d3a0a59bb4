"""The side panels other local services put on the page: the ERP's uploads and view, the local QuickBooks' Bills.

Both act server-side, in the sandbox process: the ERP panel signs its uploads and its Send here with the
upload secret (never sent to the browser) and reads the local ERP's control API, and the QuickBooks panel
calls the QuickBooks sandbox's control API, which fires the same webhooks a QuickBooks user's action would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from flask import Blueprint, Response, redirect, request

from .panels_erp import ErpDesk
from .panels_quickbooks import Books
from .timeline import Viewer

Panel = Callable[[Viewer], str]


@dataclass(frozen=True)
class Neighbours:
    """Where the other local services answer: the app's base URL for uploads, the local QuickBooks' and ERP's."""

    erp_url: str | None = None
    quickbooks_url: str | None = None
    erp_host_url: str | None = None


def back(user: str) -> Response:
    """204 for the page's script (it fetches the regions next), a redirect back to the page for a plain form post."""
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status=204)
    return redirect(f"/?as={quote(user)}", code=303)


class SidePanels:
    """The panels the neighbours make possible, and the form targets of their buttons."""

    def __init__(self, neighbours: Neighbours) -> None:
        self.erp = ErpDesk(neighbours.erp_url, host_url=neighbours.erp_host_url) if neighbours.erp_url else None
        self.books = Books(neighbours.quickbooks_url) if neighbours.quickbooks_url else None

    def panels(self) -> dict[str, Panel]:
        """The panels to show, by region name, ERP first."""
        shown: dict[str, Panel] = {}
        if self.erp:
            shown["erp"] = self.erp.panel
        if self.books:
            shown["quickbooks"] = self.books.panel
        return shown

    def blueprint(self) -> Blueprint:
        """POST /_sandbox/erp/upload, /_sandbox/erp/send, /_sandbox/erp/down and /_sandbox/quickbooks/<action>."""
        bp = Blueprint("panels", __name__)
        erp, books = self.erp, self.books

        @bp.post("/_sandbox/erp/upload")
        def erp_upload():
            """Upload the example invoice or the variation named by the form's `variation`."""
            if erp is None:
                return Response("the sandbox was started without --erp-url", status=404)
            erp.upload(request.form.get("variation", "example"))
            return back(request.form.get("user", ""))

        @bp.post("/_sandbox/erp/send")
        def erp_send():
            """Send to External System, as the ERP's user, the invoice named by vendor_code and invoice_number."""
            if erp is None:
                return Response("the sandbox was started without --erp-url", status=404)
            erp.send(request.form.get("vendor_code", ""), request.form.get("invoice_number", ""))
            return back(request.form.get("user", ""))

        @bp.post("/_sandbox/erp/down")
        def erp_down():
            """The local ERP's down switch: seconds > 0 takes it down that long, 0 brings it back."""
            if erp is None or erp.view is None:
                return Response("the sandbox was started without --erp-host-url", status=404)
            try:
                seconds = float(request.form.get("seconds", "0"))
            except ValueError:
                return Response("seconds must be a number", status=400)
            erp.view.switch(seconds > 0, seconds)
            return back(request.form.get("user", ""))

        @bp.post("/_sandbox/quickbooks/<action>")
        def quickbooks_action(action: str):
            """pay, pay-part, void, delete or close-books, through the local QuickBooks' control API."""
            if books is None:
                return Response("the sandbox was started without --quickbooks-url", status=404)
            books.act(action, request.form)
            return back(request.form.get("user", ""))

        return bp
