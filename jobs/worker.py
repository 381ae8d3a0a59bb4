"""`python -m jobs.worker`: an RQ worker (with its scheduler) on the configured Redis."""

import logging

from rq import Worker

from bootstrap import app_runtime
from jobs import tasks
from jobs.registry import QUEUE_NAMES, queue
from jobs.sweep import ensure_sweep
from settings import load_settings

MAINTENANCE_SECONDS = 60


class AppWorker(Worker):
    """An RQ worker that also restarts the periodic sweep if Redis lost it (a flush, a failover)."""

    def run_maintenance_tasks(self):
        """RQ's registry cleaning, then the sweep chain check."""
        super().run_maintenance_tasks()
        try:
            ensure_sweep(tasks.current())
        except Exception:  # noqa: BLE001 - the next maintenance round tries again
            logging.getLogger(__name__).exception("could not ensure the periodic sweep")


def main() -> None:
    """Build the runtime once, then run a worker for the app's queues until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    runtime = app_runtime(load_settings())
    tasks.configure(runtime)
    worker = AppWorker([queue(runtime.redis, name) for name in QUEUE_NAMES], connection=runtime.redis,
                       maintenance_interval=MAINTENANCE_SECONDS)
    worker.work(with_scheduler=True)


if __name__ == "__main__":
    main()
