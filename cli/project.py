"""Where the operator's commands read their settings: the project's directory, its .env and the local run's."""

import os
from pathlib import Path

import click

from bootstrap import app_runtime
from services.runtime import Runtime
from settings import INSTANCE_DIR, ConfigurationError, Settings, load_settings

# `make run` writes its effective settings there for one-off commands (sandbox/local.py, _write_local_env).
LOCAL_ENV = INSTANCE_DIR / "local.env"
_PROJECT = 'name = "invoice-sync"'


def project_dir(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding invoice-sync's pyproject.toml, else None."""
    for directory in (start, *start.parents):
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and _PROJECT in pyproject.read_text(errors="replace"):
            return directory
    return None


def enter_project() -> None:
    """Work from the project's directory, as web and worker do, so instance/, .env and SQLite resolve there."""
    found = project_dir(Path.cwd())
    if found is not None and found != Path.cwd():
        os.chdir(found)


def operator_settings() -> Settings:
    """The app's settings and what the local run wrote for one-off commands; .env and the environment win."""
    return load_settings(_env_file=(LOCAL_ENV, ".env"))


class Operator:
    """What the commands share: the settings and the runtime, each read or built once, when first needed."""

    def __init__(self, runtime: Runtime | None = None):
        self._runtime = runtime
        self._settings = runtime.settings if runtime is not None else None

    @property
    def settings(self) -> Settings:
        """The settings web and worker read, with the local run's instance/local.env."""
        if self._settings is None:
            try:
                self._settings = operator_settings()
            except ConfigurationError as error:
                fix = "Set them in the environment or .env (docs/interfaces.md)."
                raise click.ClickException(f"{error}\n{fix}") from None
        return self._settings

    @property
    def runtime(self) -> Runtime:
        """The runtime of a web or worker process, built on these settings."""
        if self._runtime is None:
            self._runtime = app_runtime(self.settings)
        return self._runtime
