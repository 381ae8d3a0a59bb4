"""The house rules of docs/architecture.md, checked on the source: dependencies point one way, one owner per client."""

import ast
import functools
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (
    "bot",
    "cli",
    "erp",
    "files",
    "invoices",
    "jobs",
    "metrics",
    "models",
    "plumbing",
    "qbo",
    "services",
    "webhooks",
)


def production_modules() -> dict[str, Path]:
    """Every production module by dotted name (tests, benchmarks, sandboxes and migrations aside)."""
    found = {}
    for path in sorted(ROOT.glob("*.py")) + sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """The nodes under `if TYPE_CHECKING:` blocks: imports for annotations only, never run."""
    return {
        inner
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for statement in node.body
        for inner in ast.walk(statement)
    }


@functools.cache
def imports_of(path: Path) -> frozenset[str]:
    """Every module `path` imports when it runs, function-local imports included, as dotted names."""
    names = set()
    tree = ast.parse(path.read_text())
    skipped = _type_only(tree)
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(names)


MODULES = production_modules()
GRAPH = {
    name: {i for i in imports_of(path) if i in MODULES and i != name and not name.startswith(i + ".")}
    for name, path in MODULES.items()
}


def cycle_from(start: str) -> list[str] | None:
    """A path of imports from `start` back to itself, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        name, path = stack.pop()
        for target in GRAPH[name]:
            if target == start:
                return path + [start]
            if target not in seen:
                seen.add(target)
                stack.append((target, path + [target]))
    return None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_itself_through_others(module):
    assert cycle_from(module) is None, " -> ".join(cycle_from(module))


def importers_of(prefixes: tuple[str, ...]) -> set[str]:
    """The production modules importing anything under `prefixes`."""
    return {
        name
        for name, path in MODULES.items()
        if any(i == p or i.startswith(p + ".") for i in imports_of(path) for p in prefixes)
    }


def test_only_the_qbo_adapter_imports_python_quickbooks_and_intuitlib():
    assert {name.split(".")[0] for name in importers_of(("quickbooks", "intuitlib"))} == {"qbo"}


def test_only_the_slack_client_module_imports_slack_sdks_web_client():
    assert importers_of(("slack_sdk.WebClient", "slack_sdk.web")) | {
        name for name, path in MODULES.items() if "from slack_sdk import WebClient" in path.read_text()
    } == {"bot.slack_client"}


def test_only_the_file_fetcher_opens_raw_connections_and_resolves_names():
    # Pinning each connection to the vetted address is the SSRF guard (files/fetch.py): nothing else may bypass it.
    assert importers_of(("urllib3",)) == {"files.fetch"}
    assert grep(r"getaddrinfo") == {"files/fetch.py"}


def test_jobs_import_nothing_from_the_listeners_or_the_web_app():
    assert not {name for name in importers_of(("bot.listeners", "webhooks")) if name.startswith("jobs")}


def test_the_domain_imports_no_framework_storage_or_clock():
    forbidden = (
        "flask",
        "slack_sdk",
        "slack_bolt",
        "quickbooks",
        "intuitlib",
        "sqlalchemy",
        "redis",
        "rq",
        "models",
        "services",
        "settings",
        "os",
        "time",
        "datetime.datetime",
    )
    assert not {name for name in importers_of(forbidden) if name.startswith("invoices")}


def test_services_do_not_import_rq_nor_any_adapter():
    adapters = (
        "rq",
        "qbo",
        "bot",
        "webhooks",
        "jobs",
        "plumbing",
        "sandbox",
        "bootstrap",
        "worker",
        "files",
        "metrics",
        "flask",
        "slack_sdk",
        "slack_bolt",
        "quickbooks",
        "intuitlib",
        "prometheus_client",
    )
    assert not {name for name in importers_of(adapters) if name.startswith("services")}


def test_only_the_metrics_adapter_imports_prometheus_client():
    # gunicorn.conf.py's child_exit hook is prometheus_client's own documented multiprocess setup.
    assert {name.split(".")[0] for name in importers_of(("prometheus_client",))} == {"metrics", "gunicorn"}


# The wings of services/, each importing only the base, the domain, the models and the wings ranked below it.
WING_RANKS = {
    "read": 0,
    "changes": 1,
    "connection": 2,
    "home": 2,
    "intake": 3,
    "sync": 3,
    "reconcile": 4,
    "erp": 4,
    "files": 4,
}
BASE = {"services", "services.ports", "services.runtime", "services.locks", "services.views"}


def wing_of(module: str) -> str | None:
    """The wing a services module belongs to ('sync' for services.sync.batch), None for the base or elsewhere."""
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 1 and parts[1] in WING_RANKS else None


def test_every_services_module_is_in_the_base_or_a_known_wing():
    services = {name for name in MODULES if name.startswith("services")}
    assert {name for name in services if wing_of(name) is None} == BASE
    assert {wing_of(name) for name in services} - {None} == set(WING_RANKS)


def test_the_base_of_services_imports_no_wing():
    assert {(name, target) for name in BASE for target in GRAPH[name] if wing_of(target)} == set()


@pytest.mark.parametrize("wing", sorted(WING_RANKS))
def test_a_wing_imports_only_the_base_and_the_wings_ranked_below_it(wing):
    crossing = {
        (name, target)
        for name in MODULES
        if name.startswith(f"services.{wing}")
        for target in GRAPH[name]
        if target.startswith("services")
        and wing_of(target) not in (None, wing)
        and WING_RANKS[wing_of(target)] >= WING_RANKS[wing]
    }
    assert crossing == set()


def test_the_read_wing_imports_no_other_wing():
    assert {
        target
        for name in MODULES
        if name.startswith("services.read")
        for target in GRAPH[name]
        if wing_of(target) not in (None, "read")
    } == set()


def test_each_wing_reads_in_one_sitting():
    sizes = {
        wing: sum(
            len(MODULES[name].read_text().splitlines()) for name in MODULES if name.startswith(f"services.{wing}")
        )
        for wing in WING_RANKS
    }
    assert {wing: size for wing, size in sizes.items() if size > 800} == {}


def test_nothing_below_the_composition_root_imports_it():
    below = ("bot", "invoices", "jobs", "models", "plumbing", "qbo", "services")
    assert {name for name in importers_of(("bootstrap", "worker")) if name.split(".")[0] in below} == set()
    # The operator's command line is an entry point beside it: nothing outside cli/ imports it.
    assert {name for name in importers_of(("cli",)) if name.split(".")[0] != "cli"} == set()


def grep(pattern: str) -> set[str]:
    """The production files whose source matches the extended regular expression `pattern`."""
    files = [str(path.relative_to(ROOT)) for path in MODULES.values()]
    found = subprocess.run(["grep", "-lE", pattern, *files], cwd=ROOT, capture_output=True, text=True)
    return set(found.stdout.split())


def test_only_the_job_registry_passes_rq_enqueue_options():
    assert grep(r"job_timeout=|failure_ttl=|result_ttl=|Retry\(") == {"jobs/registry.py"}


def test_only_the_publisher_turns_events_into_jobs():
    # Beside the publisher, the sweep and the ERP's delivery task schedule their own next run.
    assert grep(r"\benqueue\(") <= {"jobs/registry.py", "jobs/publisher.py", "jobs/sweep.py", "jobs/tasks.py"}
