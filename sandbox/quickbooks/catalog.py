"""Vendors, items and classes of a company, and the default seed data."""

import time

from . import lists
from .wire import meta_time

DEFAULT_VENDORS = (
    "Flores de la Sabana SAS",
    "Rosa's Farm",
    "Floricultura Cotopaxi Cía. Ltda.",
    "Hacienda La Pradera Flowers",
    "Rosas del Ecuador S.A.",
    "Jardines de Chía SAS",
)
DEFAULT_ITEMS = ("Fresh Cut Flowers",)
DEFAULT_CLASSES = ("Miami", "New York", "Los Angeles")
NAME_FIELD = {"Vendor": "DisplayName", "Item": "Name", "Class": "Name", "Account": "Name", "Term": "Name"}
NAME_FIELD["Department"] = "Name"


def _meta(ts):
    return {"CreateTime": meta_time(ts), "LastUpdatedTime": meta_time(ts)}


# Names as QBO gives them in CurrencyRef.name (tests/sandbox/recorded/qbo/vendor_foreign_currency.json shows
# CAD and USD; the others follow the same ISO 4217 names).
CURRENCY_NAMES = {
    "USD": "United States Dollar",
    "CAD": "Canadian Dollar",
    "EUR": "Euro",
    "GBP": "British Pound Sterling",
    "COP": "Colombian Peso",
}


def currency_ref(code):
    """A CurrencyRef as QBO answers it, e.g. {"value": "CAD", "name": "Canadian Dollar"}."""
    return {"value": code, "name": CURRENCY_NAMES.get(code, code)}


def _vendor(entity_id, name, ts, currency="USD"):
    # Every vendor carries its CurrencyRef, the home currency unless created in another one with
    # multicurrency on (vendor_foreign_currency.json: vendors 356 in CAD and 259 in USD of one company).
    return {
        "Id": entity_id,
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Active": True,
        "DisplayName": name,
        "CompanyName": name,
        "PrintOnCheckName": name,
        "Vendor1099": False,
        "Balance": 0,
        "CurrencyRef": currency_ref(currency),
        "MetaData": _meta(ts),
    }


def _item(entity_id, name, ts):
    return {
        "Id": entity_id,
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Active": True,
        "Name": name,
        "FullyQualifiedName": name,
        "Type": "NonInventory",
        "Taxable": False,
        "UnitPrice": 0,
        "PurchaseCost": 0,
        "TrackQtyOnHand": False,
        "ExpenseAccountRef": {"value": "80", "name": "Cost of Goods Sold"},
        "MetaData": _meta(ts),
    }


def _class(entity_id, name, ts):
    return {
        "Id": entity_id,
        "SyncToken": "0",
        "domain": "QBO",
        "sparse": False,
        "Active": True,
        "Name": name,
        "FullyQualifiedName": name,
        "SubClass": False,
        "MetaData": _meta(ts),
    }


BUILDERS = {
    "Vendor": _vendor,
    "Item": _item,
    "Class": _class,
    "Account": lists.account,
    "Term": lists.term,
    "Department": lists.department,
}


def add(realm, entity, name, currency=None, **options):
    """Add a Vendor (in `currency`, else the home one), Item, Class, Account, Term or Department by name, with the
    builder's `options` (e.g. due_days=45 for a Term); class ids look like QBO's long ones."""
    if currency and currency != realm.home_currency and not realm.multicurrency_enabled:
        raise ValueError(f"a vendor in {currency} needs multicurrency on (this company keeps {realm.home_currency})")
    ts = time.time()
    entity_id = realm.new_id()
    if entity == "Class":
        entity_id = str(5000000000000000000 + int(entity_id))
    if entity == "Vendor":
        record = _vendor(entity_id, name, ts, currency or realm.home_currency)
    else:
        record = BUILDERS[entity](entity_id, name, ts, **options)
    realm.collection(entity)[entity_id] = record
    realm.changed[(entity, entity_id)] = ts
    return record


def change(realm, entity, entity_id, active=None, terms=None):
    """Make a name-list entity active or inactive, or give a vendor its payment terms (a Term's name, "" for none),
    as a QBO user would, bumping its SyncToken; None when there is no such entity."""
    record = realm.collection(entity).get(str(entity_id))
    if record is None:
        return None
    if active is not None:
        record["Active"] = bool(active)
    if terms is not None:
        found = find(realm, "Term", terms) if terms else None
        if terms and found is None:
            raise ValueError(f"no term named {terms!r}")
        if found:
            record["TermRef"] = {"value": found["Id"], "name": found["Name"]}
        else:
            record.pop("TermRef", None)
    ts = time.time()
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    record["MetaData"]["LastUpdatedTime"] = meta_time(ts)
    realm.changed[(entity, record["Id"])] = ts
    return record


def rename(realm, entity, entity_id, name):
    """Rename a Vendor, Item or Class as a QBO user would, bumping its SyncToken."""
    record = realm.collection(entity).get(str(entity_id))
    if record is None:
        return None
    ts = time.time()
    record[NAME_FIELD[entity]] = name
    for extra in ("CompanyName", "PrintOnCheckName", "FullyQualifiedName"):
        if extra in record:
            record[extra] = name
    record["SyncToken"] = str(int(record["SyncToken"]) + 1)
    record["MetaData"]["LastUpdatedTime"] = meta_time(ts)
    realm.changed[(entity, record["Id"])] = ts
    return record


def find(realm, entity, name):
    """The entity whose name equals `name` exactly, or None."""
    for record in realm.collection(entity).values():
        if record[NAME_FIELD[entity]] == name:
            return record
    return None


def seed(realm, vendors=DEFAULT_VENDORS, items=DEFAULT_ITEMS, classes=DEFAULT_CLASSES):
    """Add the given names that the company does not have yet, and its default accounts and terms."""
    for entity, names in (("Vendor", vendors), ("Item", items), ("Class", classes)):
        for name in names:
            if find(realm, entity, name) is None:
                add(realm, entity, name)
    for name, account_type in lists.DEFAULT_ACCOUNTS:
        if find(realm, "Account", name) is None:
            add(realm, "Account", name, account_type=account_type)
    for name, days in lists.DEFAULT_TERMS:
        if find(realm, "Term", name) is None:
            add(realm, "Term", name, due_days=days)
    return realm
