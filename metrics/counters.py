"""The counters and histograms every process increments; in multiprocess mode gunicorn's and RQ's processes add up.

prometheus_client keeps each process's values in files under PROMETHEUS_MULTIPROC_DIR when that variable is set
(its documented multiprocess mode, chosen when prometheus_client is imported); without it they stay in this
process's REGISTRY, which is what tests and a single process need.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram, values

from metrics.directory import multiprocess_directory

NAMESPACE = "invoice_sync"

if multiprocess_directory():
    # Before any metric exists: every value of this process is then kept in files named by its pid.
    values.ValueClass = values.MultiProcessValue()

REGISTRY = CollectorRegistry(auto_describe=True)

SYNC_OUTCOMES = Counter(
    "sync_outcomes",
    "Invoices' syncs that ended: synchronized (Bill created), adopted (our Bill found), failed (reason: the "
    "failure's class), retried (reason: the passing failure; the invoice stays in ES)",
    ["outcome", "reason"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
QBO_REQUESTS = Counter(
    "quickbooks_requests",
    "Requests sent to QuickBooks, per company",
    ["company"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
QBO_THROTTLES = Counter(
    "quickbooks_throttles",
    "Requests held back: by QuickBooks (429) or by our own per-company limiter (limiter)",
    ["company", "by"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
QBO_ERRORS = Counter(
    "quickbooks_errors",
    "QuickBooks requests that failed, by the failure's class (transient, permanent, unauthorized, broken, other)",
    ["company", "kind"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
QBO_LATENCY = Histogram(
    "quickbooks_request_seconds",
    "Time of each QuickBooks request, answered or failed",
    ["company"],
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0),
    namespace=NAMESPACE,
    registry=REGISTRY,
)
REMINDERS_SENT = Counter(
    "reminders_sent",
    "Approval reminders posted in invoices' threads (APPROVAL_REMINDER_AFTER), by the periodic sweep",
    namespace=NAMESPACE,
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "slack_calls", "Slack Web API calls, by method", ["method"], namespace=NAMESPACE, registry=REGISTRY
)
SLACK_ERRORS = Counter(
    "slack_errors",
    "Slack Web API calls that failed, by method and Slack's error code (transport when Slack was not reached)",
    ["method", "error"],
    namespace=NAMESPACE,
    registry=REGISTRY,
)
