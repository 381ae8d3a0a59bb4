"""The composition root: the real adapters behind the service ports, wired once per process."""

from bot.home import SlackHome
from bot.pacing import SlackPace
from bot.poster import SlackPoster
from erp.events import ErpEvents
from erp.komet import KometSales
from files.fetch import Fetcher
from jobs.publisher import RqPublisher
from metrics.meter import PrometheusMeter
from plumbing.connections import build_runtime
from plumbing.redis_locks import RedisLocks
from qbo.gateway import Gateway
from qbo.tokens import TokenStore
from services.connection.health import ConnectionHealth
from services.runtime import Runtime
from settings import Settings


class AppWiring:
    """Redis locks and RQ jobs, the QuickBooks gateway, and Slack through slack_sdk."""

    def publisher(self, runtime: Runtime) -> RqPublisher:
        """Committed events become RQ jobs."""
        return RqPublisher(runtime.redis)

    def locks(self, runtime: Runtime) -> RedisLocks:
        """Locks in the runtime's Redis."""
        return RedisLocks(runtime.redis)

    def quickbooks(self, runtime: Runtime, realm_id: str | None) -> Gateway:
        """The gateway of one company, on the runtime's settings, Redis, token store and connection health."""
        return Gateway(runtime.settings, runtime.redis, token_store(runtime), runtime.health, realm_id)

    def cards(self, runtime: Runtime) -> SlackPoster:
        """The Slack poster on the runtime's settings."""
        return SlackPoster(runtime.settings, runtime.redis, SlackPace(runtime.redis, runtime.settings.slack_pace_scale))

    def home(self, runtime: Runtime) -> SlackHome:
        """The App Home through slack_sdk, on the runtime's settings and Redis."""
        return SlackHome(runtime)

    def files(self, runtime: Runtime) -> Fetcher:
        """Invoices' files fetched under ATTACHMENT_ALLOWED_URLS."""
        return Fetcher(runtime.settings.attachment_allowed_urls)

    def health(self, runtime: Runtime) -> ConnectionHealth:
        """The connections' health in the runtime's database, with its copy in Redis."""
        return ConnectionHealth(runtime.sessions, runtime.redis)

    def erp(self, runtime: Runtime) -> ErpEvents:
        """The ERP endpoint of ERP_EVENTS_URL, signing with ERP_EVENTS_SECRET."""
        settings = runtime.settings
        return ErpEvents(settings.erp_events_url, settings.erp_events_secret.get_secret_value())

    def komet(self, runtime: Runtime) -> KometSales:
        """Komet Sales at KOMET_API_URL with KOMET_API_TOKEN."""
        settings = runtime.settings
        return KometSales(settings.komet_api_url, settings.komet_api_token.get_secret_value())

    def meter(self, runtime: Runtime) -> PrometheusMeter:
        """The Prometheus counters (metrics/), shared by this host's processes under PROMETHEUS_MULTIPROC_DIR."""
        return PrometheusMeter()


def token_store(runtime: Runtime) -> TokenStore:
    """The stored QuickBooks connections of this deployment."""
    return TokenStore(runtime.settings, runtime.sessions, runtime.redis)


def app_runtime(settings: Settings) -> Runtime:
    """The runtime of a web or worker process: connections from `settings`, the real adapters."""
    return build_runtime(settings, AppWiring())
