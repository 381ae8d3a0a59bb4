"""Fixtures: every database test runs on the embedded defaults and on PostgreSQL + Redis."""

import pytest

from services import runtime as runtimes
from tests import backends


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


@pytest.fixture
def runtime(backend_runtime):
    """A clean runtime: empty tables and Redis, configured as the process's runtime."""
    backends.wipe(backend_runtime)
    runtimes.configure(backend_runtime)
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
