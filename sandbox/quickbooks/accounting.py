"""The Accounting API routes under /v3/company/<realm>/ that the sandbox serves."""

import copy
import time

from flask import Blueprint, current_app, request

from . import bills, gateway, query, selection
from .faults import QboFault, not_found
from .wire import loads, meta_time, reply, response_time

api = Blueprint("qbo_api", __name__, url_prefix="/v3/company/<realm>")
api.before_request(gateway.before)
api.after_request(gateway.after)
api.teardown_request(gateway.teardown)
api.register_error_handler(QboFault, QboFault.response)
READABLE = {
    name.lower(): name for name in ("Bill", "Vendor", "Item", "Class", "Account", "Term", "Department", "BillPayment")
}


def _sandbox():
    return current_app.extensions["qbo_sandbox"]


def body_json():
    """The request body parsed with exact decimals, e.g. {"VendorRef": {"value": "101"}, "Line": [...]}."""
    try:
        return loads(request.get_data() or b"{}")
    except ValueError as exc:
        raise QboFault(400, 2010, "Request has invalid or unsupported property", f"Invalid JSON: {exc}") from None


def apply_bill(realm, operation, body):
    """Create, update or delete a Bill depending on `operation` and whether the body carries an Id."""
    if operation == "delete":
        return bills.delete(realm, body)
    if body.get("Id") not in (None, "", 0, "0"):
        return bills.update(realm, body)
    return bills.create(realm, body)


@api.route("/query", methods=["GET", "POST"])
def run_query(realm):
    """GET query?query=select... or POST the statement as application/text, as python-quickbooks does."""
    text = request.args.get("query") or request.get_data(as_text=True)
    store = _sandbox().store
    with store.lock:
        store.realm(realm).log_query(text or "")
    parsed = query.parse(text or "")
    with store.lock:
        records = copy.deepcopy(list(store.realm(realm).collection(parsed.entity).values()))
    return reply(selection.run(parsed, records))


@api.get("/<entity>/<entity_id>")
def read(realm, entity, entity_id):
    """Read one Vendor, Item, Class, Bill or BillPayment by id."""
    name = READABLE.get(entity.lower())
    if name is None:
        raise QboFault(400, 500, "Unsupported Operation", f"Operation read is not supported for {entity}")
    store = _sandbox().store
    with store.lock:
        record = store.realm(realm).collection(name).get(entity_id)
        if record is None:
            raise not_found(name, entity_id)
        record = copy.deepcopy(record)
    return reply({name: record, "time": response_time()})


@api.post("/bill")
def post_bill(realm):
    """Create, update (Id + SyncToken) or delete (?operation=delete) a Bill."""
    body = body_json()
    sandbox = _sandbox()
    with sandbox.store.lock:
        result, changes = apply_bill(sandbox.store.realm(realm), request.args.get("operation"), body)
        result = copy.deepcopy(result)
    sandbox.notifier.publish(realm, changes)
    return reply({"Bill": result, "time": response_time()})


@api.get("/preferences")
def preferences(realm):
    """Company preferences: class tracking, duplicate numbers, the books' close date and currencies matter here."""
    store = _sandbox().store
    with store.lock:
        company = store.realm(realm)
        prefs = {
            "AccountingInfoPrefs": {
                "TrackDepartments": company.track_departments,
                "ClassTrackingPerTxn": company.class_tracking_per_txn,
                "ClassTrackingPerTxnLine": company.class_tracking_per_line,
                "CustomerTerminology": "Customers",
            },
            "VendorAndPurchasesPrefs": {"TrackingByCustomer": False, "BillableExpenseTracking": False},
            # Shape of tests/sandbox/recorded/qbo/preferences_book_close_date.json (Intuit's sample): HomeCurrency
            # is a {"value"} reference; no public body shows MultiCurrencyEnabled true, so only that value flips.
            "CurrencyPrefs": {
                "MultiCurrencyEnabled": company.multicurrency_enabled,
                "HomeCurrency": {"value": company.home_currency},
            },
            # Intuit's Preferences reference: "Warn if duplicate bill number is used" is OtherPrefs.NameValue
            # Name="WarnDuplicateBillNumber", Value "true" or "false" (its example answers "false"; the check
            # number's is "WarnDuplicateCheckNumber").
            "OtherPrefs": {
                "NameValue": [
                    {"Name": "WarnDuplicateCheckNumber", "Value": "true"},
                    {
                        "Name": "WarnDuplicateBillNumber",
                        "Value": "true" if company.warn_duplicate_bill_number else "false",
                    },
                ]
            },
            "Id": "1",
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            "MetaData": {"CreateTime": meta_time(company.created_at), "LastUpdatedTime": meta_time(time.time())},
        }
        if company.track_departments:
            # "[DepartmentTerminology] is returned only if the company's Track location preference is enabled"
            # (Intuit's Preferences reference).
            prefs["AccountingInfoPrefs"]["DepartmentTerminology"] = "Location"
        if company.book_close_date:
            # Open books have no BookCloseDate at all (Finance.xsd: minOccurs="0"; same recorded file's sidecar).
            prefs["AccountingInfoPrefs"]["BookCloseDate"] = company.book_close_date
    return reply({"Preferences": prefs, "time": response_time()})


@api.get("/companyinfo/<company_id>")
def company_info(realm, company_id):
    """CompanyInfo of this realm."""
    store = _sandbox().store
    with store.lock:
        company = store.realm(realm)
        if company_id != realm:
            raise not_found("CompanyInfo", company_id)
        info = {
            "CompanyName": company.company_name,
            "LegalName": company.company_name,
            "Country": "US",
            "CompanyAddr": {
                "Line1": "8200 NW 41st St",
                "City": "Doral",
                "CountrySubDivisionCode": "FL",
                "PostalCode": "33166",
            },
            "Id": "1",
            "SyncToken": "0",
            "domain": "QBO",
            "sparse": False,
            "MetaData": {"CreateTime": meta_time(company.created_at), "LastUpdatedTime": meta_time(company.created_at)},
        }
    return reply({"CompanyInfo": info, "time": response_time()})
