"""The metrics' counters: each sync's end counted by outcome and class, Prometheus' text, and multiprocess mode."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from metrics import counters
from metrics.directory import wipe
from metrics.exposition import render
from metrics.meter import PrometheusMeter, failure_class, retry_class
from services.locks import Busy
from services.ports import QboBooksClosed, QboConnectionBroken, QboPermanent, QboThrottled, QboTransient

ROOT = Path(__file__).resolve().parents[2]


def samples(text: bytes) -> dict[tuple[str, tuple], float]:
    """Every sample of a scrape by (name, sorted labels), parsed as Prometheus would."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text.decode())
        for sample in family.samples
    }


def outcome(name: str, reason: str = "") -> float:
    """This process's count of sync outcome `name` with `reason`."""
    found = counters.REGISTRY.get_sample_value("invoice_sync_sync_outcomes_total", {"outcome": name, "reason": reason})
    return found or 0.0


@pytest.mark.parametrize(
    ("why", "named"),
    [
        (QboPermanent("refused", code=6140), "duplicate_number"),
        (QboPermanent("refused", code=2500), "invalid_reference"),
        (QboPermanent("refused", code=610), "inactive_reference"),
        (QboPermanent("refused", code=2050), "too_long"),
        (QboBooksClosed("closed", code=5010), "closed_books"),
        (QboPermanent("refused", code=6000), "refused"),
        (QboPermanent("no such vendor", element="VendorRef"), "vendor_missing"),
        (QboPermanent("no such item", element="ItemRef"), "item_missing"),
        (QboPermanent("The vendor has no QB accounting name"), "preflight"),
        ("total_mismatch", "total_mismatch"),
        (RuntimeError("?"), "other"),
    ],
)
def test_a_failure_is_counted_by_a_bounded_class_never_by_its_words(why, named):
    assert failure_class(why) == named


@pytest.mark.parametrize(
    ("why", "named"),
    [
        (QboConnectionBroken("refused", "keys"), "connection_broken"),
        (QboThrottled("429"), "throttled"),
        (QboTransient("503"), "quickbooks_transient"),
        (Busy("held"), "busy"),
        (RuntimeError("?"), "other"),
    ],
)
def test_a_retry_is_counted_by_the_class_of_its_passing_failure(why, named):
    assert retry_class(why) == named


def test_the_meter_counts_synchronized_adopted_failed_and_retried_and_nothing_else():
    before = [
        outcome("synchronized"),
        outcome("adopted"),
        outcome("failed", "closed_books"),
        outcome("retried", "busy"),
    ]
    meter = PrometheusMeter()
    meter.sync_ended("S")
    meter.sync_ended("S", adopted=True)
    meter.sync_ended("F", QboBooksClosed("closed"))
    meter.sync_ended("ES", Busy("held"))
    meter.sync_ended("skipped")
    after = [outcome("synchronized"), outcome("adopted"), outcome("failed", "closed_books"), outcome("retried", "busy")]
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 1, 1]


def test_a_scrape_is_prometheus_text_with_the_sync_and_quickbooks_series():
    PrometheusMeter().sync_ended("S")
    counters.QBO_REQUESTS.labels("9341455000000001").inc()
    found = samples(render(None))
    assert found[("invoice_sync_sync_outcomes_total", (("outcome", "synchronized"), ("reason", "")))] >= 1
    assert found[("invoice_sync_quickbooks_requests_total", (("company", "9341455000000001"),))] >= 1


WRITER = textwrap.dedent(
    """
    import sys
    from metrics import counters
    counters.SLACK_CALLS.labels(sys.argv[2]).inc(int(sys.argv[1]))
    """
)


def write_from_a_process(directory: Path, count: int, method: str) -> None:
    """Run WRITER in a fresh interpreter with PROMETHEUS_MULTIPROC_DIR set, as gunicorn's and RQ's processes run."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(directory), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", WRITER, str(count), method], env=env, cwd=ROOT, check=True, timeout=60)


def test_multiprocess_mode_adds_up_the_counts_of_every_process_writing_to_the_directory(tmp_path):
    wipe(tmp_path)
    write_from_a_process(tmp_path, 2, "chat.postMessage")
    write_from_a_process(tmp_path, 3, "chat.postMessage")
    write_from_a_process(tmp_path, 1, "chat.update")
    found = samples(render(str(tmp_path)))
    assert found[("invoice_sync_slack_calls_total", (("method", "chat.postMessage"),))] == 5
    assert found[("invoice_sync_slack_calls_total", (("method", "chat.update"),))] == 1
    assert len(list(tmp_path.glob("counter_*.db"))) == 3


def test_wiping_the_directory_removes_only_prometheus_files(tmp_path):
    (tmp_path / "counter_1.db").write_bytes(b"")
    (tmp_path / "keep.txt").write_text("mine")
    wipe(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]
