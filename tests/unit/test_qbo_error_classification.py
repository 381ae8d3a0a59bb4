"""The recorded answers of QBO and Intuit OAuth (tests/sandbox/recorded/), fed through the real python-quickbooks
and intuitlib parsing, then to qbo.errors.classify: what each one means to the sync."""

import pytest
from intuitlib.exceptions import AuthClientError

from qbo.errors import CodeRefused, QboUnauthorized, classify, classify_code_exchange, still_unauthorized
from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient
from tests.unit.helpers import answer, raised_by_python_quickbooks, recorded

STALE = (
    '{"Fault":{"Error":[{"Message":"Stale Object Error","Detail":"Stale Object Error : You and another user were '
    'working on the same thing.","code":"5010"}],"type":"ValidationFault"}}'
)
OLD_THROTTLE = recorded("qbo/fault_429_throttle_3001.xml").replace("statusCode=429", "statusCode=403")

CASES = [
    ("qbo/fault_400_closed_books_5010.json", 400, QboBooksClosed, "books are closed"),
    ("qbo/fault_400_closed_books_6200.json", 400, QboBooksClosed, "books are closed"),
    ("qbo/fault_400_closed_books_6210.json", 400, QboBooksClosed, "Account Period Closed, code 6210"),
    ("qbo/fault_400_duplicate_docnumber_6140.json", 400, QboPermanent, "code 6140"),
    ("qbo/fault_400_validation_2050.json", 400, QboPermanent, "code 2050"),
    ("qbo/fault_400_validation_2050.xml", 400, QboPermanent, "Length of the field exceeds 21 chars"),
    ("qbo/fault_400_validation_6000.json", 400, QboPermanent, "You must set a transaction amount"),
    ("qbo/fault_401_authentication_3200.json", 401, QboUnauthorized, "AuthenticationFailed, code 3200"),
    ("qbo/fault_401_authorization_120.xml", 401, QboUnauthorized, "Authorization Failure, code 120"),
    ("qbo/fault_401_general_authentication_100.xml", 401, QboUnauthorized, "code 100"),
    (
        "qbo/fault_403_application_authorization_3100.json",
        403,
        QboConnectionBroken,
        "HTTP 403, ApplicationAuthorizationFailed, code 3100",
    ),
    (
        "qbo/fault_403_authorization_3100.xml",
        403,
        QboConnectionBroken,
        "AuthorizationFailed, code 3100: The access token does not have sufficient scope",
    ),
    ("qbo/fault_429_throttle_3001.xml", 429, QboThrottled, "HTTP 429"),
    ("qbo/fault_500_internal_server_error.json", 500, QboTransient, "temporary failure"),
    ("qbo/fault_500_system_fault_10000.xml", 500, QboTransient, "temporary failure"),
]


def exact(kind):
    """Only QboTransient itself, not its subclasses (a broken connection or a throttle is told apart)."""
    return lambda failure: type(failure) is kind if kind in (QboTransient, QboPermanent) else isinstance(failure, kind)


@pytest.mark.parametrize("name, status, kind, says", CASES, ids=[case[0] for case in CASES])
def test_each_recorded_fault_is_sorted_by_status_and_text_as_the_sync_must_act_on_it(name, status, kind, says):
    body = recorded(name)
    failure = classify(raised_by_python_quickbooks(status, body), status, body)
    assert exact(kind)(failure), failure
    assert says in str(failure)


@pytest.mark.parametrize("name, status, kind, says", CASES, ids=[case[0] for case in CASES])
def test_the_same_sorting_holds_when_only_the_exception_reaches_classify(name, status, kind, says):
    failure = classify(raised_by_python_quickbooks(status, recorded(name)))
    assert exact(kind)(failure), failure


def test_python_quickbooks_reports_the_lowercase_and_xml_403_as_a_generic_code_10000():
    for name in ("qbo/fault_403_application_authorization_3100.json", "qbo/fault_403_authorization_3100.xml"):
        assert raised_by_python_quickbooks(403, recorded(name)).error_code == 10000


def test_closed_books_refusals_are_permanent_with_their_code_and_say_how_to_reopen():
    for name, code in (("5010", 5010), ("6200", 6200), ("6210", 6210)):
        body = recorded(f"qbo/fault_400_closed_books_{name}.json")
        failure = classify(raised_by_python_quickbooks(400, body), 400, body)
        assert isinstance(failure, QboBooksClosed) and isinstance(failure, QboPermanent) and failure.code == code
        assert "reopen the period in QuickBooks" in str(failure) and "Retry" in str(failure)


def test_a_stale_object_5010_without_the_closed_period_message_stays_a_retry():
    failure = classify(raised_by_python_quickbooks(400, STALE), 400, STALE)
    assert type(failure) is QboTransient


def test_the_pre_429_throttle_of_code_3001_with_status_403_backs_off_and_breaks_nothing():
    failure = classify(raised_by_python_quickbooks(403, OLD_THROTTLE), 403, OLD_THROTTLE)
    assert isinstance(failure, QboThrottled) and failure.retry_after == 60


def test_a_2050_names_the_field_qbo_gave_in_element_json_or_xml():
    for name in ("qbo/fault_400_validation_2050.json", "qbo/fault_400_validation_2050.xml"):
        body = recorded(name)
        failure = classify(raised_by_python_quickbooks(400, body), 400, body)
        assert (failure.code, failure.element, failure.detail) == (
            2050,
            "firstname",
            "Length of the field exceeds 21 chars",
        )


def test_a_401_that_survives_a_refresh_breaks_the_connection_naming_code_120():
    body = recorded("qbo/fault_401_authorization_120.xml")
    broken = still_unauthorized(classify(raised_by_python_quickbooks(401, body), 401, body))
    assert isinstance(broken, QboConnectionBroken) and broken.kind == "unauthorized"
    assert "code 120" in str(broken) and "even after a token refresh" in str(broken)


@pytest.mark.parametrize(
    "name, status, kind",
    [
        ("intuit_oauth/token_invalid_grant.json", 400, "token"),
        ("intuit_oauth/token_invalid_grant_with_description.json", 400, "token"),
        ("intuit_oauth/token_invalid_client.json", 401, "keys"),
    ],
)
def test_a_refused_refresh_breaks_the_connection(name, status, kind):
    failure = classify(AuthClientError(answer(status, recorded(name))))
    assert isinstance(failure, QboConnectionBroken) and failure.kind == kind


def test_invalid_grant_on_a_connect_attempt_is_about_the_code_not_the_connection():
    failure = classify_code_exchange(AuthClientError(answer(400, recorded("intuit_oauth/token_invalid_grant.json"))))
    assert isinstance(failure, CodeRefused)
