"""The local ERP's invoice documents: `GET /files/<invoice number>.pdf`, a small PDF made on the fly.

`make run`'s example uploads name these as their attachment_url (sandbox/erp.py), and the app, allowed to fetch
from here by ATTACHMENT_ALLOWED_URLS (sandbox/local_erp.py), puts the file on the invoice's Bill in the local
QuickBooks. The PDF is built here, not kept as a binary: one page naming the invoice, valid enough for any viewer.
"""

import re

from flask import Flask, Response

LINES = ("Flores de la Sabana SAS", "Vendor invoice {number}", "PO 100482 - shipped 2026-11-20", "Total USD 1,093.50")


def example_pdf(number: str) -> bytes:
    """A one-page PDF 1.4 naming invoice `number` (ASCII letters, digits and -_. only), with a correct xref table."""
    shown = re.sub(r"[^A-Za-z0-9._-]", "_", number)[:40]
    text = " ".join(f"({line.format(number=shown)}) Tj 0 -28 Td" for line in LINES)
    stream = f"BT /F1 18 Tf 72 720 Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number_of, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number_of, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(pdf)


def register(app: Flask) -> None:
    """Add GET /files/<number>.pdf to the local ERP."""

    @app.get("/files/<name>")
    def invoice_document(name: str):
        if not name.lower().endswith(".pdf") or len(name) <= 4:
            return Response("the local ERP keeps only invoice PDFs, /files/<invoice number>.pdf", 404)
        return Response(
            example_pdf(name[:-4]),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
