"""`python -m worker`: the Procfile's worker, an RQ worker on the runtime the composition root builds."""

from bootstrap import app_runtime
from jobs.worker import run
from plumbing import logs
from settings import load_settings


def main() -> None:
    """Build the runtime once from the environment, then run the worker until stopped."""
    settings = load_settings()
    logs.configure(settings)
    run(app_runtime(settings))


if __name__ == "__main__":
    main()
