"""One scrape in Prometheus' text format: every process's counters (or this process's alone) and the stores."""

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from metrics import counters

# The text format every Prometheus reads (names here are all plain: nothing of format 1.0.0 is needed).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def render(directory: str | None, *collectors) -> bytes:
    """One scrape: the counters of every process writing to `directory` (None: this process's), then `collectors`."""
    registry = CollectorRegistry(auto_describe=False)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(counters.REGISTRY)
    for collector in collectors:
        registry.register(collector)
    return generate_latest(registry)
