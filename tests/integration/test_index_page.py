"""`GET /` is a small page pointing to what a newcomer needs, never a JSON 404, and names no secret (issue 10)."""

from tests.backends import with_settings
from webhooks.app import create_app


def test_the_root_links_the_health_check_the_readme_and_in_the_local_run_both_sandboxes(runtime):
    local = with_settings(runtime, slack_api_url="http://127.0.0.1:8012/api/", qbo_api_url="http://127.0.0.1:8011/v3")
    answer = create_app(local).test_client().get("/")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    assert '<a href="/healthz">' in page and "README.md" in page and "Quick start" in page
    assert '<a href="/openapi.json">' in page
    assert '<a href="http://127.0.0.1:8012/">the Slack sandbox page</a>' in page
    assert '<a href="http://127.0.0.1:8011/_sandbox/">' in page
    settings = local.settings
    for secret in (
        settings.upload_webhook_secret,
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.qbo_client_secret,
    ):
        assert secret.get_secret_value() not in page


def test_real_services_are_not_named_on_the_root_page(runtime):
    real = with_settings(runtime, slack_api_url="https://slack.com/api/", qbo_api_url=None)
    page = create_app(real).test_client().get("/").get_data(as_text=True)
    assert "slack.com" not in page and "_sandbox" not in page and '<a href="/healthz">' in page
