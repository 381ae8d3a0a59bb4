"""The references a Bill request holds, checked as QuickBooks checks them: name-list entities, and the accounting
fields (the A/P account, the location, the terms and the due date they give)."""

from datetime import date

from . import lists
from .faults import QboFault, invalid_reference, missing, not_found


def ref(realm, entity, given, element):
    """The {"value", "name"} of an active `entity` that `ref` names; 2020 without one, 2500 unknown, 610 inactive."""
    entity_id = str((given or {}).get("value") or "")
    if not entity_id:
        raise missing(element)
    record = realm.collection(entity).get(entity_id)
    if record is None:
        raise invalid_reference(entity, entity_id, element)
    if record.get("Active") is False:
        # Intuit's "Fix common errors" page: 610 "Object Not Found: Something you're trying to use has been made
        # inactive. Check the fields with accounts, customers, items, vendors or employees." for a reference to an
        # inactive name-list object (Detail verbatim in intuit/QuickBooks-V3-DotNET-SDK #353).
        raise not_found(entity, entity_id)
    name = record.get("DisplayName") or record.get("FullyQualifiedName") or record.get("Name")
    return {"value": entity_id, "name": name}


def accounting(realm, body, txn_date):
    """APAccountRef, DepartmentRef and SalesTermRef checked, and the DueDate, as Intuit's Bill reference says: an
    A/P account must be a Liability of subtype AccountsPayable ("if the company has a single AP account, the
    account is implied"); "if [DueDate] is not provided, the number of days specified in SalesTermRef added [to]
    the transaction date will be used"; without either the Bill is due on its date."""
    found = {}
    for element, entity in (("APAccountRef", "Account"), ("DepartmentRef", "Department"), ("SalesTermRef", "Term")):
        if body.get(element) is not None:
            found[element] = ref(realm, entity, body[element], element)
    account = realm.accounts.get((found.get("APAccountRef") or {}).get("value"))
    if account is not None and account.get("AccountSubType") != "AccountsPayable":
        # No public body shows QuickBooks refusing another kind of account here: the 6000 envelope of
        # fault_400_validation_6000.json with our own words.
        raise QboFault(
            400,
            6000,
            "A business validation error has occurred while processing your request",
            "Business Validation Error: Please select an Accounts Payable account.",
            element="APAccountRef",
        )
    if "APAccountRef" not in found:
        payable = [a for a in realm.accounts.values() if a.get("AccountSubType") == "AccountsPayable" and a["Active"]]
        if payable:
            found["APAccountRef"] = {"value": payable[0]["Id"], "name": payable[0]["Name"]}
    due = body.get("DueDate")
    if not due and "SalesTermRef" in found:
        due = lists.due_date(realm.terms[found["SalesTermRef"]["value"]], date.fromisoformat(txn_date)).isoformat()
    return found, due or txn_date
