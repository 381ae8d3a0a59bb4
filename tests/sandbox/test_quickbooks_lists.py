"""The sandbox's name lists through the real python-quickbooks: inactive entries (left out of a default query,
610 when a Bill names one), and the accounts, terms and locations a Bill's accounting fields refer to."""

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects.account import Account
from quickbooks.objects.department import Department
from quickbooks.objects.item import Item
from quickbooks.objects.term import Term
from quickbooks.objects.vendor import Vendor

from tests.sandbox.quickbooks_client import make_bill

FLORES = "Flores de la Sabana SAS"


def added(sandbox, kind, name, **options):
    return sandbox.control("POST", f"/realms/{sandbox.realm}/{kind}", name=name, **options)


def changed(sandbox, kind, entity_id, **values):
    return sandbox.control("PATCH", f"/realms/{sandbox.realm}/{kind}/{entity_id}", **values)


def ref(record):
    return {"value": record["Id"], "name": record.get("Name")}


def test_an_inactive_vendor_is_left_out_of_a_default_query_and_listed_when_asked_for(sandbox, qb):
    flores = Vendor.filter(DisplayName=FLORES, qb=qb)[0]
    changed(sandbox, "vendors", flores.Id, active=False)
    assert Vendor.filter(DisplayName=FLORES, qb=qb) == []
    assert FLORES not in [v.DisplayName for v in Vendor.all(max_results=1000, qb=qb)]
    assert [v.DisplayName for v in Vendor.where("active = false", qb=qb)] == [FLORES]
    assert Vendor.get(flores.Id, qb=qb).Active is False  # a read by id still answers it


@pytest.mark.parametrize("kind, entity", [("vendors", "Vendor"), ("items", "Item")])
def test_a_bill_naming_an_inactive_vendor_or_item_is_refused_with_610(sandbox, qb, kind, entity):
    bill = make_bill(qb)
    target = bill.VendorRef.value if entity == "Vendor" else bill.Line[0].ItemBasedExpenseLineDetail.ItemRef.value
    changed(sandbox, kind, target, active=False)
    with pytest.raises(QuickbooksException) as refused:
        bill.save(qb=qb)
    assert refused.value.error_code == 610 and "has been made inactive" in refused.value.detail
    changed(sandbox, kind, target, active=True)
    assert bill.save(qb=qb).Id


def test_accounts_terms_and_locations_are_listed_as_quickbooks_lists_them(sandbox, qb):
    added(sandbox, "departments", "Miami")
    payable = Account.where("AccountType = 'Accounts Payable'", qb=qb)
    assert [(a.Name, a.Classification, a.AccountSubType) for a in payable] == [
        ("Accounts Payable (A/P)", "Liability", "AccountsPayable")
    ]
    terms = {t.Name: t.DueDays for t in Term.all(qb=qb)}
    assert terms == {"Due on receipt": 0, "Net 15": 15, "Net 30": 30, "Net 60": 60}
    assert [d.Name for d in Department.all(qb=qb)] == ["Miami"]


def test_a_bill_gets_the_implied_ap_account_and_is_due_on_its_date_without_terms(qb):
    saved = make_bill(qb).save(qb=qb)
    assert saved.APAccountRef.name == "Accounts Payable (A/P)" and saved.DueDate == saved.TxnDate == "2026-11-20"


def test_the_accounting_fields_are_kept_and_terms_without_a_due_date_give_one(sandbox, qb):
    imports = added(sandbox, "accounts", "A/P Imports", account_type="Accounts Payable")
    miami = added(sandbox, "departments", "Miami")
    net30 = Term.filter(Name="Net 30", qb=qb)[0]
    bill = make_bill(qb)
    bill.APAccountRef = Account.get(imports["Id"], qb=qb).to_ref()
    bill.DepartmentRef = Department.get(miami["Id"], qb=qb).to_ref()
    bill.SalesTermRef = net30.to_ref()
    saved = bill.save(qb=qb)
    assert (saved.APAccountRef.value, saved.DepartmentRef.value, saved.DueDate) == (
        imports["Id"],
        miami["Id"],
        "2026-12-20",
    )
    dated = make_bill(qb, doc_number="D-2")
    dated.SalesTermRef, dated.DueDate = net30.to_ref(), "2026-12-01"
    assert dated.save(qb=qb).DueDate == "2026-12-01"


@pytest.mark.parametrize("txn_date, due", [("2026-11-02", "2026-11-15"), ("2026-11-10", "2026-12-15")])
def test_a_date_driven_term_is_due_on_its_day_or_the_next_months_when_too_close(sandbox, qb, txn_date, due):
    fifteenth = added(sandbox, "terms", "15th", day_of_month=15, next_month_within=7)
    bill = make_bill(qb)
    bill.TxnDate, bill.SalesTermRef = txn_date, Term.get(fifteenth["Id"], qb=qb).to_ref()
    assert bill.save(qb=qb).DueDate == due


def test_another_kind_of_account_or_an_inactive_location_is_refused(sandbox, qb):
    cogs = Account.filter(Name="Cost of Goods Sold", qb=qb)[0]
    bill = make_bill(qb)
    bill.APAccountRef = cogs.to_ref()
    with pytest.raises(QuickbooksException) as refused:
        bill.save(qb=qb)
    assert refused.value.error_code == 6000
    miami = added(sandbox, "departments", "Miami")
    changed(sandbox, "departments", miami["Id"], active=False)
    located = make_bill(qb, doc_number="L-1")
    located.DepartmentRef = {"value": miami["Id"]}
    with pytest.raises(QuickbooksException) as inactive:
        located.save(qb=qb)
    assert inactive.value.error_code == 610


def test_a_vendor_carries_the_terms_given_it(sandbox, qb):
    flores = Vendor.filter(DisplayName=FLORES, qb=qb)[0]
    changed(sandbox, "vendors", flores.Id, terms="Net 30")
    assert Vendor.get(flores.Id, qb=qb).TermRef.name == "Net 30"
    changed(sandbox, "vendors", flores.Id, terms="")
    assert Vendor.get(flores.Id, qb=qb).TermRef is None
    assert Item.filter(Name="Fresh Cut Flowers", qb=qb)[0].Active is True
