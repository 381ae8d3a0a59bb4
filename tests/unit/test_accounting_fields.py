"""The Bill's accounting fields (issue 16 item 5), each off unless configured: the A/P account, the due date from
the vendor's terms, the location; each on the Bill body, and each missing reference failing preflight by name."""

from datetime import date

import pytest

from invoices.accounting import AccountingPolicy, Terms, due_date, parse_location_from
from invoices.bill import draft_bill
from invoices.books import NEXT_OPEN_DAY, CompanyBooks
from qbo.payload import bill_body
from services.ports import QboPermanent
from services.sync.exactly_once import prepared
from settings import ConfigurationError, load_settings
from tests.unit.drafts import ITEM, NUMBERING, VENDOR, facts
from tests.unit.fakes import FakeQuickBooks

NET30 = Terms("3", "Net 30", due_days=30)


class Company(FakeQuickBooks):
    """The fake company with A/P accounts, locations and vendor terms."""

    def __init__(self, accounts=("Accounts Payable (A/P)",), locations=("Miami",), terms: Terms | None = NET30):
        super().__init__()
        self.accounts = {name: str(300 + n) for n, name in enumerate(accounts)}
        self.locations = {name: str(400 + n) for n, name in enumerate(locations)}
        self.terms = terms

    def account_id(self, name):
        return self.accounts.get(name)

    def department_id(self, name):
        return self.locations.get(name)

    def vendor_terms(self, display_name):
        self.vendor_id(display_name)
        return self.terms


def drafted(policy: AccountingPolicy, **changes):
    return draft_bill(facts(**changes), NUMBERING, accounting=policy)


def test_nothing_configured_sends_none_of_the_fields():
    company = Company()
    refs = prepared(company, drafted(AccountingPolicy()), ITEM)
    body = bill_body(drafted(AccountingPolicy()), refs)
    assert not {"APAccountRef", "DepartmentRef", "SalesTermRef", "DueDate"} & set(body)
    assert company.called("vendor_terms") == []


@pytest.mark.parametrize(
    "policy, field, value",
    [
        (AccountingPolicy(ap_account="Accounts Payable (A/P)"), "APAccountRef", {"value": "300"}),
        (AccountingPolicy(location_from_class=True), "DepartmentRef", {"value": "400"}),
        (AccountingPolicy(locations=(("Miami", "Florida"),)), "DepartmentRef", {"value": "401"}),
        (AccountingPolicy(due_from_terms=True), "DueDate", "2026-12-20"),
        (AccountingPolicy(due_from_terms=True), "SalesTermRef", {"value": "3"}),
    ],
)
def test_each_configured_field_is_on_the_bill_body(policy, field, value):
    company = Company(locations=("Miami", "Florida"))
    draft = drafted(policy)
    assert bill_body(draft, prepared(company, draft, ITEM))[field] == value


@pytest.mark.parametrize(
    "policy, company, says",
    [
        (
            AccountingPolicy(ap_account="A/P Imports"),
            Company(),
            "QuickBooks has no active Accounts Payable account named 'A/P Imports' (QBO_AP_ACCOUNT): create it in "
            "QuickBooks (Chart of accounts, New, type Accounts payable (A/P)) or correct QBO_AP_ACCOUNT",
        ),
        (
            AccountingPolicy(location_from_class=True),
            Company(locations=()),
            "QuickBooks has no active location named 'Miami' (QBO_LOCATION_FROM): create it in QuickBooks",
        ),
        (
            AccountingPolicy(locations=(("New York", "NY"),)),
            Company(),
            "QBO_LOCATION_FROM names no location for the class 'Miami' (it maps New York): add "
            "'Miami=<QuickBooks location>' to it",
        ),
        (
            AccountingPolicy(due_from_terms=True),
            Company(terms=Terms("9", "Net 45", active=False)),
            f"The QuickBooks vendor {VENDOR!r} has the payment terms 'Net 45', which are inactive or gone",
        ),
    ],
    ids=["ap-account", "location", "unmapped-class", "inactive-terms"],
)
def test_a_missing_reference_fails_preflight_naming_what_to_create(policy, company, says):
    with pytest.raises(QboPermanent) as refused:
        prepared(company, drafted(policy), ITEM)
    assert says in str(refused.value)
    assert company.called("create_bill") == []


def test_every_missing_reference_is_named_in_one_message():
    policy = AccountingPolicy(ap_account="A/P Imports", location_from_class=True)
    with pytest.raises(QboPermanent) as refused:
        prepared(Company(locations=()), drafted(policy), ITEM)
    assert "'A/P Imports'" in str(refused.value) and "location named 'Miami'" in str(refused.value)


def test_a_vendor_without_terms_gets_no_due_date():
    draft = drafted(AccountingPolicy(due_from_terms=True))
    body = bill_body(draft, prepared(Company(terms=None), draft, ITEM))
    assert "DueDate" not in body and "SalesTermRef" not in body


def test_no_class_means_no_location():
    draft = drafted(AccountingPolicy(location_from_class=True), po_class=None)
    assert draft.location is None and draft.problems == ()


@pytest.mark.parametrize(
    "terms, txn_date, due",
    [
        (NET30, date(2026, 11, 20), date(2026, 12, 20)),
        (Terms("1", "Due on receipt", due_days=0), date(2026, 11, 20), date(2026, 11, 20)),
        (Terms("7", "15th", day_of_month=15, next_month_within=7), date(2026, 11, 2), date(2026, 11, 15)),
        (Terms("7", "15th", day_of_month=15, next_month_within=7), date(2026, 11, 10), date(2026, 12, 15)),
        (Terms("7", "15th", day_of_month=15), date(2026, 12, 20), date(2027, 1, 15)),
        (Terms("8", "31st", day_of_month=31), date(2027, 2, 3), date(2027, 2, 28)),
    ],
)
def test_the_due_date_from_the_terms_and_the_bills_date(terms, txn_date, due):
    assert due_date(txn_date, terms) == due


def test_the_due_date_counts_from_the_redated_bill_after_closed_books():
    closed = Company()
    closed.books = lambda: CompanyBooks(close_date=date(2026, 11, 30), classes=True, home_currency="USD")
    refs = prepared(closed, drafted(AccountingPolicy(due_from_terms=True)), ITEM, NEXT_OPEN_DAY)
    assert (refs.txn_date, refs.due_date) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("class", (True, ())),
        ("Class", (True, ())),
        ("Miami=Florida, New York = NY", (False, (("Miami", "Florida"), ("New York", "NY")))),
        ("", (False, ())),
        (None, (False, ())),
    ],
)
def test_qbo_location_from_is_class_or_a_mapping(text, parsed):
    assert parse_location_from(text) == parsed


@pytest.mark.parametrize("text", ["Miami", "Miami=", "=Florida", "Miami=A,Miami=B"])
def test_a_malformed_qbo_location_from_is_refused_at_start_naming_the_variable(text):
    with pytest.raises(ValueError):
        parse_location_from(text)
    with pytest.raises(ConfigurationError, match="QBO_LOCATION_FROM"):
        load_settings(**_required(), qbo_location_from=text)


def test_the_settings_build_the_policy():
    settings = load_settings(
        **_required(), qbo_ap_account=" A/P Imports ", qbo_due_date_from_terms=True, qbo_location_from="class"
    )
    assert settings.accounting() == AccountingPolicy("A/P Imports", True, True, ())
    assert load_settings(**_required()).accounting() == AccountingPolicy()


def _required() -> dict:
    return dict(
        upload_webhook_secret="whsec_" + "c2VjcmV0",
        slack_bot_token="xoxb-1",
        slack_signing_secret="s",
        slack_procurement_channel="C0PROCURE",
        slack_accounting_channel="C0ACCOUNT",
        slack_procurement_approvers="U0BUYER1",
        slack_accounting_approvers="U0ACCT01",
        slack_ap_senders="U0AP0001",
        qbo_client_id="id",
        qbo_client_secret="secret",
        qbo_redirect_uri="https://example.com/quickbooks/callback",
    )
