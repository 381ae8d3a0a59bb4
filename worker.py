"""`python -m worker`: the Procfile's worker, an RQ worker on the runtime the composition root builds."""

import logging

from bootstrap import app_runtime
from jobs.worker import run
from settings import load_settings


def main() -> None:
    """Build the runtime once from the environment, then run the worker until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run(app_runtime(load_settings()))


if __name__ == "__main__":
    main()
