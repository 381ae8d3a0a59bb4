"""Issue 16 without a server: faults sorted by structure (never by echoed words), fault bodies read in every shape,
closed books read again after a refusal, a 9999-12-31 close date, and Bill numbers beyond ASCII in a batch."""

import json
from datetime import date

import pytest
from intuitlib.exceptions import AuthClientError

from invoices.books import BLOCK, NEXT_OPEN_DAY, CompanyBooks, dating
from qbo.answers import Fault, fault_of, read
from qbo.batch import item_failure
from qbo.errors import classify
from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient
from services.sync.exactly_once import create_together, find_or_create, redated_request_id, request_id
from tests.unit.drafts import ITEM, draft
from tests.unit.fakes import FakeQuickBooks
from tests.unit.helpers import answer, raised_by_python_quickbooks, recorded

ECHOES = [
    "ThrottleExceeded",
    "message=ThrottleExceeded; errorCode=003001; statusCode=429",
    "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
    "status code '403'",
    "Account Period Closed",
    "The account period has closed",
]


def parser_error(echo: str, shape: str = "json") -> str:
    """QBO's 400 / 4000 for a query it could not read, echoing what it read so far (quickbooks-ruby #309)."""
    lexical = 'Lexical error at line 1, column 9.  Encountered: "\\u2019" (8217)'
    detail = f'QueryParserError: Invalid content. {lexical}, after : "\\\'{echo}"'
    if shape == "xml":
        escaped = detail.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return (
            '<IntuitResponse xmlns="http://schema.intuit.com/finance/v3"><Fault type="ValidationFault">'
            f'<Error code="4000"><Message>Error parsing query</Message><Detail>{escaped}</Detail></Error>'
            "</Fault></IntuitResponse>"
        )
    fault = {"Error": [{"Message": "Error parsing query", "Detail": detail, "code": "4000"}], "type": "ValidationFault"}
    return json.dumps({"Fault": fault})


def duplicate(number: str) -> dict:
    """A batch item's 6140 Fault quoting the Bill number (the sandbox's Detail, as QBO words it)."""
    detail = f"Duplicate Document Number Error : DocNumber={number} is assigned to TxnType=Bill with TxnId=145"
    return {
        "Error": [{"Message": "Duplicate Document Number Error", "Detail": detail, "code": "6140"}],
        "type": "ValidationFault",
    }


@pytest.mark.parametrize("echo", ECHOES)
@pytest.mark.parametrize("shape", ["json", "xml"])
def test_a_parser_error_echoing_any_faults_words_is_that_query_refused(echo, shape):
    body = parser_error(echo, shape)
    for failure in (
        classify(raised_by_python_quickbooks(400, body), 400, body),
        classify(raised_by_python_quickbooks(400, body)),
    ):
        assert type(failure) is QboPermanent and failure.code == 4000, failure


@pytest.mark.parametrize("echo", ECHOES)
def test_a_batch_item_quoting_a_bill_number_like_a_fault_is_only_that_bill_refused(echo):
    failure = item_failure(duplicate(echo))
    assert type(failure) is QboPermanent and failure.code == 6140 and echo in failure.detail


def test_a_batch_item_never_breaks_the_connection_even_with_code_3100():
    fault = {"Error": [{"Message": "message=ApplicationAuthorizationFailed", "code": "3100"}], "type": "SERVICE"}
    assert type(item_failure(fault)) is QboTransient


def test_the_xml_429_backs_off_with_its_status_or_with_only_the_exception():
    body = recorded("qbo/fault_429_throttle_3001.xml")
    assert isinstance(classify(raised_by_python_quickbooks(429, body), 429, body), QboThrottled)
    assert isinstance(classify(raised_by_python_quickbooks(429, body)), QboThrottled)
    html = "<html><body>Too Many Requests</body></html>"
    assert isinstance(classify(raised_by_python_quickbooks(429, html), 429, html), QboThrottled)


def test_3001_outside_a_service_fault_and_3100_with_another_status_are_not_what_they_seem():
    validation = json.dumps({"Fault": {"Error": [{"Message": "x", "code": "3001"}], "type": "ValidationFault"}})
    assert type(classify(raised_by_python_quickbooks(400, validation), 400, validation)) is QboPermanent
    body = recorded("qbo/fault_500_internal_server_error.json")
    assert type(classify(raised_by_python_quickbooks(500, body), 500, body)) is QboTransient
    xml = recorded("qbo/fault_403_authorization_3100.xml")
    assert isinstance(classify(raised_by_python_quickbooks(403, xml)), QboConnectionBroken)  # code 3100, no status


@pytest.mark.parametrize(
    "code, message, detail, closed",
    [
        (5010, "Account Period Closed", "The account period has closed. {1}", True),
        (5010, "Stale Object Error", "Stale Object Error : (Bill Id=145 Account Period Closed)", False),
        (6000, "Account Period Closed", "", False),
        (6140, "Duplicate Document Number Error", "DocNumber=Account Period Closed is assigned", False),
        (6210, "Account Period Closed", "", True),
    ],
)
def test_closed_books_by_code_and_only_the_start_of_the_errors_own_message_or_detail(code, message, detail, closed):
    body = json.dumps({"Fault": {"Error": [{"Message": message, "Detail": detail, "code": str(code)}]}})
    failure = classify(raised_by_python_quickbooks(400, body), 400, body)
    assert isinstance(failure, QboBooksClosed) is closed and isinstance(failure, (QboPermanent, QboTransient))


@pytest.mark.parametrize(
    "name, fault",
    [
        (
            "qbo/fault_429_throttle_3001.xml",
            (3001, "SERVICE", "message=ThrottleExceeded; errorCode=003001; statusCode=429"),
        ),
        (
            "qbo/fault_403_application_authorization_3100.json",
            (3100, "SERVICE", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403"),
        ),
        ("qbo/fault_400_closed_books_6210.json", (6210, None, "Account Period Closed")),
        ("qbo/fault_401_authorization_120.xml", (120, "AuthorizatonFault", "Authorization Failure")),
    ],
)
def test_each_shape_of_fault_body_is_read_into_its_fields(name, fault):
    assert fault_of(recorded(name))[:3] == fault


def test_an_html_page_or_garbage_is_no_fault_and_python_quickbooks_own_prefix_gives_the_status():
    assert fault_of("<!DOCTYPE html><html><body>502</body></html>") is None and fault_of("nonsense") is None
    body = recorded("qbo/fault_403_application_authorization_3100.json")
    assert read(raised_by_python_quickbooks(403, body)) == Fault(
        403, 3100, "SERVICE", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403", "", None
    )


def test_an_oauth_error_is_read_from_its_error_field_not_found_in_the_text():
    said = json.dumps({"error": "invalid_request", "error_description": "unlike invalid_grant or invalid_client"})
    assert type(classify(AuthClientError(answer(400, said)))) is QboTransient


def test_books_closed_through_the_last_date_there_is_are_a_problem_not_an_overflow():
    problem = dating(CompanyBooks(close_date=date.max), date(2026, 11, 20), NEXT_OPEN_DAY)
    assert isinstance(problem, str) and "closed through 9999-12-31, so no later day is open" in problem


class ClosingCompany(FakeQuickBooks):
    """Preferences read while the books were open; after forget_books, read again, closed through `closes`."""

    def __init__(self, closes: date | None):
        super().__init__()
        self.books_now, self.closes = CompanyBooks(classes=True, home_currency="USD"), closes

    def books(self) -> CompanyBooks:
        self._enter("books", None)
        return self.books_now

    def forget_books(self) -> None:
        super().forget_books()
        self.books_now = CompanyBooks(close_date=self.closes, classes=True, home_currency="USD")


def closed_period() -> QboBooksClosed:
    return QboBooksClosed("the books are closed for its date", 5010, "The account period has closed. {1}")


def test_under_next_open_day_a_closed_period_refusal_reads_the_books_again_and_dates_the_bill_once_more():
    qbo, rid = ClosingCompany(date(2026, 11, 25)), request_id(7, 1, 1)
    qbo.fail("create_bill", closed_period())
    bill = find_or_create(qbo, draft(7), rid, ITEM, NEXT_OPEN_DAY)
    assert qbo.called("forget_books") == [None] and bill["Id"] in qbo.bills
    assert qbo.called("create_bill") == [rid, redated_request_id(rid, date(2026, 11, 26))]
    assert redated_request_id(rid, date(2026, 11, 26)) == f"{rid}-d20261126" and len(f"{rid}-d20261126") <= 50


@pytest.mark.parametrize("policy, closes", [(BLOCK, date(2026, 11, 25)), (NEXT_OPEN_DAY, None)])
def test_otherwise_the_refusal_only_drops_the_cached_books_and_fails_the_invoice(policy, closes):
    qbo = ClosingCompany(closes)  # under next_open_day, fresh books that still look open date nothing anew
    qbo.fail("create_bill", closed_period())
    with pytest.raises(QboPermanent, match="was not booked"):
        find_or_create(qbo, draft(7), request_id(7, 1, 1), ITEM, policy)
    assert qbo.called("forget_books") == [None] and len(qbo.called("create_bill")) == 1 and qbo.bills == {}


def test_a_batch_looks_a_non_ascii_bill_number_up_by_its_vendor_and_the_others_in_one_query():
    qbo = FakeQuickBooks()
    drafts = {1: draft(1), 2: draft(2, invoice_number="FÉ-2"), 3: draft(3)}
    outcomes = create_together(qbo, drafts, {1: 1, 2: 1, 3: 1}, ITEM)
    assert all(isinstance(outcome, dict) for outcome in outcomes.values())
    assert qbo.called("find_bills_numbered") == [["100482-FE-20925", "100482-FE-20927"]]
    assert qbo.called("find_bills") == [("100482-FÉ-2", qbo.vendors["Flores de la Sabana SAS"])]


def test_a_batch_lookup_quickbooks_refuses_fails_no_invoice_but_one_whose_own_lookup_is_refused():
    qbo = FakeQuickBooks()
    qbo.fail("find_bills_numbered", QboPermanent("QuickBooks refused it (code 4000)", code=4000))
    qbo.fail("find_bills", None, QboPermanent("QuickBooks refused it (code 4000)", code=4000))
    outcomes = create_together(qbo, {1: draft(1), 2: draft(2), 3: draft(3)}, {1: 1, 2: 1, 3: 1}, ITEM)
    assert isinstance(outcomes[1], dict) and isinstance(outcomes[3], dict)
    assert type(outcomes[2]) is QboPermanent and len(qbo.bills) == 2
