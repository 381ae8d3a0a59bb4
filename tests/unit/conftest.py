"""The unit tier: the services on a Runtime of in-memory fakes and a throw-away SQLite file, no Redis, no servers."""

import shutil

import pytest

import models
from models.database import make_engine, make_sessions
from services.runtime import Runtime
from settings import load_settings
from tests.backends import BASE_SETTINGS
from tests.unit.fakes import FakeWiring

DATABASE = "invoice-sync.db"


@pytest.fixture(scope="session")
def schema(tmp_path_factory):
    """An empty database with every table, made once; each test gets a copy of the file."""
    folder = tmp_path_factory.mktemp("schema")
    engine = make_engine(f"sqlite:///{folder / DATABASE}")
    models.Base.metadata.create_all(engine)
    engine.dispose()
    return folder / DATABASE


@pytest.fixture
def wiring():
    """The fakes behind this test's runtime: wiring.qbo, wiring.events, wiring.memory_locks, wiring.poster."""
    return FakeWiring()


@pytest.fixture
def runtime(schema, tmp_path, wiring):
    """A runtime on the fakes and a fresh copy of the empty database (redis=None: nothing here may use it)."""
    shutil.copy(schema, tmp_path / DATABASE)
    settings = load_settings(_env_file=None, **BASE_SETTINGS, instance_dir=tmp_path)
    engine = make_engine(settings.resolved_database_url())
    yield Runtime(settings, engine, make_sessions(engine), None, wiring)
    engine.dispose()


@pytest.fixture
def qbo(wiring):
    """The fake QuickBooks company of this test."""
    return wiring.qbo
