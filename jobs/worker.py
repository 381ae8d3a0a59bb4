"""`python -m jobs.worker`: an RQ worker (with its scheduler) on the configured Redis."""

import logging

from rq import Worker

from services import runtime as runtimes
from services.runtime import QUEUE_NAMES


def main() -> None:
    """Run a worker for the app's queues until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = runtimes.current()
    worker = Worker([runtime.queue(name) for name in QUEUE_NAMES], connection=runtime.redis)
    worker.work(with_scheduler=True)


if __name__ == "__main__":
    main()
