"""Settings are validated at start-up with a message naming every variable at fault."""

import pytest

from settings import ConfigurationError, load_settings
from tests.backends import BASE_SETTINGS


def test_missing_variables_are_all_named():
    with pytest.raises(ConfigurationError) as error:
        load_settings(_env_file=None)
    message = str(error.value)
    for name in (
        "UPLOAD_WEBHOOK_SECRET",
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_PROCUREMENT_CHANNEL",
        "SLACK_ACCOUNTING_CHANNEL",
        "SLACK_PROCUREMENT_APPROVERS",
        "SLACK_ACCOUNTING_APPROVERS",
        "SLACK_AP_SENDERS",
        "QBO_CLIENT_ID",
        "QBO_CLIENT_SECRET",
        "QBO_REDIRECT_URI",
    ):
        assert f"{name} is required" in message


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("upload_webhook_secret", "plain-secret", "UPLOAD_WEBHOOK_SECRET must be a Standard Webhooks secret"),
        ("slack_ap_senders", "U0AP1,bob", "SLACK_AP_SENDERS not Slack user or user group ids: bob"),
        (
            "slack_procurement_channel",
            "#procurement",
            "SLACK_PROCUREMENT_CHANNEL '#procurement' is not a Slack channel id",
        ),
        ("qbo_environment", "staging", "QBO_ENVIRONMENT must be 'sandbox', 'production'"),
        (
            "qbo_api_url",
            "https://quickbooks.api.intuit.com",
            "QBO_API_URL must be the accounting API base ending in /v3",
        ),
        ("bill_number_format", "{po}-{number}", "BILL_NUMBER_FORMAT may use only"),
    ],
)
def test_malformed_variables_are_named_with_the_problem(name, value, complaint):
    with pytest.raises(ConfigurationError, match=complaint.replace("(", r"\(")):
        load_settings(_env_file=None, **{**BASE_SETTINGS, name: value})


def test_secret_key_is_required_outside_development():
    with pytest.raises(ConfigurationError, match="SECRET_KEY is required outside development"):
        load_settings(_env_file=None, **BASE_SETTINGS, database_url="postgresql://db/invoices")


def test_secrets_never_appear_in_the_repr():
    settings = load_settings(
        _env_file=None,
        **BASE_SETTINGS,
        database_url="postgresql://u:dbpass@db/x",
        secret_key="very-secret-key",
        qbo_refresh_token="refresh-token-value",
    )
    shown = repr(settings) + str(settings)
    for secret in (
        "dbpass",
        "very-secret-key",
        "refresh-token-value",
        "xoxb-test-token",
        "test-signing-secret",
        "test-client-secret",
        BASE_SETTINGS["upload_webhook_secret"],
    ):
        assert secret not in shown


def test_approver_lists_are_split_on_commas():
    settings = load_settings(_env_file=None, **{**BASE_SETTINGS, "slack_accounting_approvers": " S0ACC, U0ACCT1 "})
    assert settings.slack_accounting_approvers == ("S0ACC", "U0ACCT1")


def test_development_generates_and_keeps_an_encryption_key(tmp_path):
    settings = load_settings(_env_file=None, **BASE_SETTINGS, instance_dir=tmp_path)
    key = settings.encryption_key()
    assert len(key) >= 32 and settings.encryption_key() == key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_use_psycopg_3():
    settings = load_settings(_env_file=None, **BASE_SETTINGS, database_url="postgres://h/db", secret_key="k")
    assert settings.resolved_database_url() == "postgresql+psycopg://h/db"


def test_the_erp_round_trip_is_off_when_its_variables_are_empty_and_events_need_their_secret():
    settings = load_settings(_env_file=None, **BASE_SETTINGS, erp_events_url="", erp_events_secret="", erp_api_token="")
    assert (settings.erp_events_url, settings.erp_events_secret, settings.erp_api_token) == (None, None, None)
    with pytest.raises(ConfigurationError, match="ERP_EVENTS_SECRET is required with ERP_EVENTS_URL"):
        load_settings(_env_file=None, **BASE_SETTINGS, erp_events_url="https://erp.example.com/events")
    with pytest.raises(ConfigurationError, match="ERP_EVENTS_SECRET must be a Standard Webhooks secret"):
        load_settings(
            _env_file=None, **BASE_SETTINGS, erp_events_url="https://erp.example.com/events", erp_events_secret="plain"
        )
    with pytest.raises(ConfigurationError, match="ERP_EVENTS_URL must be an http"):
        load_settings(_env_file=None, **BASE_SETTINGS, erp_events_url="ftp://erp", erp_events_secret="whsec_eA==")
