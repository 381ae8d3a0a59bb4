"""The upload is as strict as docs/interfaces.md says, bounded by its columns and by 1 MiB (issue 8)."""

import http.client
import json
import threading
import time

import pytest
from sqlalchemy import Integer, func, inspect, select
from werkzeug.serving import make_server

from invoices import limits
from models import InvoiceLine, Vendor
from sandbox.erp import example_upload, signed_headers
from tests.integration.uploads import NOTHING, URL, encoded, secret, signed_bytes, stored

TEXT_FIELDS = {
    "#/vendor/code": ("vendor", "code"),
    "#/vendor/name": ("vendor", "name"),
    "#/vendor/qb_accounting_name": ("vendor", "qb_accounting_name"),
    "#/vendor/default_class": ("vendor", "default_class"),
    "#/purchase_order/number": ("purchase_order", "number"),
    "#/purchase_order/class": ("purchase_order", "class"),
    "#/invoice/number": ("invoice", "number"),
}


def post(client, runtime, payload, **headers):
    body = encoded(payload)
    return client.post(URL, data=body, headers={**signed_headers(secret(runtime), body), **headers})


def refused(answer, status: int, pointers: set[str] | None = None):
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json" and answer.json["status"] == status
    if pointers is not None:
        assert {item["pointer"] for item in answer.json["errors"]} == pointers
    return answer.json


def with_changes(*changes) -> dict:
    payload = example_upload()
    for section, field, value in changes:
        target = payload["invoice"]["lines"][0] if section == "line" else payload[section]
        target[field] = value
    return payload


def test_counts_beyond_a_postgresql_integer_are_422_on_both_backends(client, runtime):
    payload = with_changes(("line", "boxes", limits.COUNT_MAX + 1), ("line", "units", 2**63))
    refused(post(client, runtime, payload), 422, {"#/invoice/lines/0/boxes", "#/invoice/lines/0/units"})
    assert stored(runtime) == NOTHING


def test_a_unit_price_beyond_numeric_14_4_is_422_on_both_backends(client, runtime):
    refused(
        post(client, runtime, with_changes(("line", "unit_price", "10000000000.0000"))),
        422,
        {"#/invoice/lines/0/unit_price"},
    )
    assert stored(runtime) == NOTHING


def test_the_largest_values_the_columns_hold_are_stored_exactly(client, runtime):
    payload = with_changes(
        ("line", "boxes", limits.COUNT_MAX),
        ("line", "units", limits.COUNT_MAX),
        ("line", "unit_price", "9999999999.9999"),
        ("line", "product", "é" * limits.LINE_TEXT),
        ("vendor", "name", "ñ" * limits.VENDOR_NAME),
        ("vendor", "qb_accounting_name", "Ø" * limits.QB_ACCOUNTING_NAME),
    )
    assert post(client, runtime, payload).status_code == 202
    with runtime.sessions() as session:
        line = session.scalars(select(InvoiceLine).where(InvoiceLine.position == 0)).one()
        vendor = session.scalars(select(Vendor)).one()
    assert (line.boxes, line.units, str(line.unit_price)) == (limits.COUNT_MAX, limits.COUNT_MAX, "9999999999.9999")
    assert line.product == "é" * limits.LINE_TEXT and vendor.name == "ñ" * limits.VENDOR_NAME


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x1f", "\t", "\n", "\x7f", "\x85", "\u2028", "\ud800"],
    ids=["NUL", "US", "TAB", "LF", "DEL", "NEL", "LINE SEPARATOR", "lone surrogate"],
)
def test_a_control_character_in_any_text_field_is_422_naming_each_field(client, runtime, character):
    payload = example_upload()
    payload["vendor"]["default_class"] = "Miami"
    for section, field in TEXT_FIELDS.values():
        payload[section][field] = f"A{character}B"
    payload["invoice"]["lines"][1]["product"] = f"Rose{character}"
    payload["invoice"]["charges"][0]["description"] = f"{character}Handling"
    answer = refused(
        post(client, runtime, payload),
        422,
        set(TEXT_FIELDS) | {"#/invoice/lines/1/product", "#/invoice/charges/0/description"},
    )
    assert all(f"U+{ord(character):04X}" in item["detail"] for item in answer["errors"])
    assert stored(runtime) == NOTHING


def nested(depth: int) -> bytes:
    """The example upload carrying an extra field nested so that the whole body is `depth` deep."""
    body = encoded(example_upload())
    return body[:-1] + b', "extra": ' + b"[" * (depth - 1) + b"]" * (depth - 1) + b"}"


def test_json_nested_more_than_32_deep_is_400_and_32_is_accepted(client, runtime):
    for depth in (20_000, 33):
        detail = refused(post(client, runtime, nested(depth)), 400)["detail"]
        assert detail == "The body nests arrays and objects more than 32 deep."
    assert stored(runtime) == NOTHING
    assert post(client, runtime, nested(32)).status_code == 202


def test_an_integer_of_5000_digits_is_400_and_one_of_4000_digits_is_422(client, runtime):
    body = encoded(example_upload())
    refused(post(client, runtime, body.replace(b'"units": 1200', b'"units": ' + b"9" * 5000)), 400)
    refused(
        post(client, runtime, body.replace(b'"units": 1200', b'"units": ' + b"9" * 4000)),
        422,
        {"#/invoice/lines/0/units"},
    )
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize("msg_id", ["msg_" + "x" * 1000, "msg_\x01", "msg_\x7f"], ids=["1004 chars", "SOH", "DEL"])
def test_a_webhook_id_too_long_or_with_control_characters_is_400(client, runtime, msg_id):
    body = encoded(example_upload())
    answer = client.post(URL, data=body, headers=signed_headers(secret(runtime), body, msg_id=msg_id))
    assert refused(answer, 400)["detail"].startswith("The webhook-id must be at most 1000 characters")
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize(
    "total",
    ["1093.50\n", "١٠٩٣.٥٠", "１０９３.５０", " 1093.50", "1093.50 ", "1_093.50"],
    ids=["trailing LF", "Arabic-Indic", "fullwidth", "leading space", "trailing space", "underscore"],
)
def test_money_with_anything_but_ascii_digits_is_422(client, runtime, total):
    refused(post(client, runtime, with_changes(("invoice", "total", total))), 422, {"#/invoice/total"})
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize("units", [b'"4"', b"4.0", b"true", b"1e3"], ids=["string", "float", "bool", "exponent"])
def test_counts_must_be_json_integers(client, runtime, units):
    body = encoded(example_upload()).replace(b'"units": 1200', b'"units": ' + units)
    refused(post(client, runtime, body), 422, {"#/invoice/lines/0/units"})
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize(
    "value", [0, "2026-11-19T00:00:00", "2026-11-19 10:00", "20261119", "2026-W47-4", "2026-02-30", "２０２６-11-19"]
)
def test_dates_must_be_yyyy_mm_dd_strings(client, runtime, value):
    payload = with_changes(("invoice", "date", value), ("purchase_order", "ship_date", value))
    refused(post(client, runtime, payload), 422, {"#/invoice/date", "#/purchase_order/ship_date"})
    assert stored(runtime) == NOTHING


def test_required_text_made_only_of_invisible_characters_is_blank(client, runtime):
    payload = with_changes(
        ("vendor", "name", "\u200b\u200c"),
        ("invoice", "number", "\u2060\ufeff"),
        ("vendor", "code", "\u3164"),
        ("line", "product", " \u200d\u00a0"),
    )
    refused(
        post(client, runtime, payload),
        422,
        {"#/vendor/name", "#/invoice/number", "#/vendor/code", "#/invoice/lines/0/product"},
    )
    assert stored(runtime) == NOTHING


def test_a_blank_qb_accounting_name_or_default_class_is_refused_not_taken_to_clear_it(client, runtime):
    assert post(client, runtime, with_changes(("vendor", "default_class", "Miami"))).status_code == 202
    blank = with_changes(("vendor", "qb_accounting_name", "   "), ("vendor", "default_class", "\u200b"))
    refused(post(client, runtime, blank), 422, {"#/vendor/qb_accounting_name", "#/vendor/default_class"})
    with runtime.sessions() as session:
        vendor = session.scalars(select(Vendor)).one()
    assert (vendor.qb_accounting_name, vendor.default_class) == ("Flores de la Sabana SAS", "Miami")


def test_a_null_or_absent_qb_accounting_name_is_still_allowed(client, runtime):
    payload = with_changes(("vendor", "qb_accounting_name", None))
    del payload["purchase_order"]["class"]
    assert post(client, runtime, payload).status_code == 202


def test_duplicate_keys_at_any_level_are_400_naming_each(client, runtime):
    body = encoded(example_upload())
    body = body.replace(b'"total": "1093.50"', b'"total": "1.00", "total": "1093.50"', 1)
    body = body.replace(b'{"vendor": {', b'{"vendor": {"code": "OTHER", ', 1)
    answer = refused(post(client, runtime, body), 400, {"#/invoice/total", "#/vendor/code"})
    assert {item["detail"] for item in answer["errors"]} == {
        "the key 'total' appears more than once",
        "the key 'code' appears more than once",
    }
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/vnd.erp+json",
        "application/json; charset=latin-1",
    ],
)
def test_anything_but_application_json_is_415(client, runtime, content_type):
    body = encoded(example_upload())
    headers = signed_headers(secret(runtime), body)
    headers.pop("content-type")
    if content_type:
        headers["content-type"] = content_type
    refused(client.post(URL, data=body, headers=headers), 415)
    assert stored(runtime) == NOTHING


def test_application_json_with_a_utf8_charset_is_accepted(client, runtime):
    answer = post(client, runtime, example_upload(), **{"content-type": "application/json; charset=UTF-8"})
    assert answer.status_code == 202


def test_a_validly_signed_body_that_is_not_utf8_is_400_not_401(client, runtime):
    body = encoded(example_upload()).replace(b"Flores", b"Fl\xf6res")
    answer = client.post(URL, data=body, headers=signed_bytes(runtime, body, str(int(time.time()))))
    offset = body.index(b"\xf6")
    assert refused(answer, 400)["detail"] == f"The body is not UTF-8 (byte {offset} is not valid)."
    assert stored(runtime) == NOTHING


@pytest.mark.parametrize(
    "form",
    ["{}.9", "{}e0", "+{}", " {}", "{}.0", "0x{:x}"],
    ids=["fraction", "exponent", "plus sign", "leading space", "point zero", "hex"],
)
def test_a_timestamp_that_is_not_an_integer_string_is_401(client, runtime, form):
    now = int(time.time())
    body = encoded(example_upload())
    headers = signed_bytes(runtime, body, form.format(now), signed_stamp=str(now))
    detail = refused(client.post(URL, data=body, headers=headers), 401)["detail"]
    assert detail == "The webhook-timestamp must be whole seconds since the epoch, in ASCII digits."
    assert stored(runtime) == NOTHING


def test_signature_failures_are_explained_in_our_own_words(client, runtime):
    body = encoded(example_upload())
    headers = signed_headers(secret(runtime), body)
    for garbled in ("v1", "v1,not base64!", "v2," + headers["webhook-signature"][3:], "v1,AAAA v1"):
        answer = client.post(URL, data=body, headers={**headers, "webhook-signature": garbled})
        assert refused(answer, 401)["detail"] == "The webhook-signature does not match the body and the secret."
    answer = client.post(URL, data=body, headers={"content-type": "application/json"})
    assert (
        refused(answer, 401)["detail"]
        == "The webhook-id, webhook-timestamp and webhook-signature headers are required."
    )
    future = signed_bytes(runtime, body, str(int(time.time()) + 301))
    assert (
        refused(client.post(URL, data=body, headers=future), 401)["detail"]
        == "The webhook-timestamp is too new: more than 5 minutes after now."
    )
    assert stored(runtime) == NOTHING


def test_a_body_that_is_not_json_is_explained_without_the_parsers_words(client, runtime):
    detail = refused(post(client, runtime, b'{"vendor": {not json'), 400)["detail"]
    assert detail == "The body is not valid JSON (line 1, column 13)."
    assert "NaN" in refused(post(client, runtime, encoded(example_upload())[:-1] + b', "x": NaN}'), 400)["detail"]


@pytest.fixture
def served(app):
    """The app behind a real HTTP server, which decodes chunked bodies as gunicorn does."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(timeout=5)


def post_chunked(port: int, headers: dict, body: bytes) -> tuple[int, dict]:
    """POST `body` with Transfer-Encoding: chunked (no Content-Length); answers status and JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    chunks = (body[i : i + 64 * 1024] for i in range(0, len(body), 64 * 1024))
    try:
        connection.request("POST", URL, body=chunks, headers=headers, encode_chunked=True)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server may answer and close before the whole tail is sent
    answer = connection.getresponse()
    status, data = answer.status, json.loads(answer.read())
    connection.close()
    return status, data


def padded(size: int) -> bytes:
    """The example upload padded with an extra field to exactly `size` bytes."""
    body = encoded(example_upload())[:-1] + b', "padding": ""}'
    return body[:-2] + b"x" * (size - len(body)) + body[-2:]


def test_a_chunked_body_over_one_mebibyte_is_413_and_stores_nothing(runtime, served):
    prefix = padded(1024 * 1024)
    headers = signed_headers(secret(runtime), prefix)
    status, data = post_chunked(served, headers, prefix + b" " * (2 * 1024 * 1024))
    assert (status, data["status"]) == (413, 413)
    assert stored(runtime) == NOTHING


def test_a_chunked_body_of_exactly_one_mebibyte_is_read_whole(runtime, served):
    body = padded(1024 * 1024)
    status, data = post_chunked(served, signed_headers(secret(runtime), body), body)
    assert status == 202 and data["revision"] == 1
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvoiceLine)) == 2


COLUMN_LIMITS = {
    ("vendors", "code"): limits.VENDOR_CODE,
    ("vendors", "name"): limits.VENDOR_NAME,
    ("vendors", "qb_accounting_name"): limits.QB_ACCOUNTING_NAME,
    ("vendors", "default_class"): limits.CLASS_NAME,
    ("invoices", "number"): limits.INVOICE_NUMBER,
    ("invoices", "po_number"): limits.PO_NUMBER,
    ("invoice_revisions", "po_class"): limits.CLASS_NAME,
    ("invoice_revisions", "currency"): limits.CURRENCY,
    ("invoice_revisions", "attachment_url"): limits.ATTACHMENT_URL,
    ("invoice_lines", "product"): limits.LINE_TEXT,
    ("invoice_charges", "description"): limits.LINE_TEXT,
}
MONEY_COLUMNS = {
    ("invoice_revisions", "total"): limits.AMOUNT_SCALE,
    ("invoice_lines", "amount"): limits.AMOUNT_SCALE,
    ("invoice_lines", "unit_price"): limits.UNIT_PRICE_SCALE,
    ("invoice_charges", "amount"): limits.AMOUNT_SCALE,
}


def test_the_migrated_columns_hold_exactly_what_the_upload_allows(runtime):
    inspector = inspect(runtime.engine)
    types = {
        (table, column["name"]): column["type"]
        for table in ("vendors", "invoices", "invoice_revisions", "invoice_lines", "invoice_charges")
        for column in inspector.get_columns(table)
    }
    assert {key: types[key].length for key in COLUMN_LIMITS} == COLUMN_LIMITS
    assert all(isinstance(types[("invoice_lines", name)], Integer) for name in ("boxes", "units"))
    if runtime.engine.dialect.name == "postgresql":
        assert {key: (types[key].precision, types[key].scale) for key in MONEY_COLUMNS} == {
            key: (limits.MONEY_PRECISION, scale) for key, scale in MONEY_COLUMNS.items()
        }
