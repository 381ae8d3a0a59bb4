"""Thread-safe in-memory state of the sandbox: settings, companies, tokens, scripted faults, events."""

import threading
import time
from dataclasses import dataclass, field, fields


@dataclass
class Settings:
    """Knobs of the sandbox; durations are real QBO seconds, multiplied by time_scale when applied."""

    time_scale: float = 1.0
    # Seconds added to every accounting call before it is answered (not scaled), as a real round trip takes:
    # bench/send_latency.py uses issue 19's figure for a realistic QBO round trip, 250 ms. 0 keeps tests fast.
    latency_seconds: float = 0.0
    limits_enabled: bool = True
    per_minute: int = 500
    per_second: int = 10
    batch_per_minute: int = 40
    batch_max_items: int = 30
    access_token_seconds: float = 3600
    refresh_token_seconds: float = 8726400
    refresh_grace_seconds: float = 60
    # Intuit answers a refresh with the same refresh token for about a day, then with a new one (sandbox/quickbooks/
    # oauth.py says where this is documented); 0 rotates it on every refresh.
    refresh_rotation_seconds: float = 86400
    client_id: str = "sandbox-client-id"
    client_secret: str = "sandbox-client-secret"
    realm_id: str = "9341455000000001"
    webhook_url: str | None = None
    webhook_format: str = "cloudevents"
    verifier_token: str = "sandbox-verifier-token"
    webhook_timeout: float = 5.0

    def scaled(self, seconds):
        """Seconds of sandbox time for a duration given in QBO seconds."""
        return seconds * self.time_scale

    def update(self, values):
        """Apply a partial update, ignoring unknown keys, and report which keys were set."""
        names = {f.name: f.type for f in fields(self)}
        applied = {}
        for key, value in values.items():
            if key in names:
                setattr(self, key, value)
                applied[key] = value
        return applied


# How many query texts a company keeps for the control API's stats: enough for any test, bounded for a long demo.
QUERY_LOG = 1000


@dataclass
class Realm:
    """One QBO company and everything in it."""

    id: str
    company_name: str = "Sandbox Flower Importers LLC"
    vendors: dict = field(default_factory=dict)
    items: dict = field(default_factory=dict)
    classes: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    bills: dict = field(default_factory=dict)
    payments: dict = field(default_factory=dict)
    paid: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)
    deleted: dict = field(default_factory=dict)
    # Attachables by id (attachments.py), and each one's file bytes apart, so a query never copies them.
    attachables: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    class_tracking_per_line: bool = True
    class_tracking_per_txn: bool = False
    track_departments: bool = False
    # Off, as Intuit's Preferences example answers it ("WarnDuplicateBillNumber": "false") and as a new company
    # starts ("Warn if duplicate bill number is used" is a setting to turn on: Settings, Advanced, Other
    # preferences); only then is a duplicate DocNumber refused with 6140.
    warn_duplicate_bill_number: bool = False
    book_close_date: str | None = None
    multicurrency_enabled: bool = False
    home_currency: str = "USD"
    replies: dict = field(default_factory=dict)
    pending: set = field(default_factory=set)
    requests: int = 0
    throttled: int = 0
    batches: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    next_id: int = 100
    created_at: float = field(default_factory=time.time)

    def log_query(self, text):
        """Keep the text of an answered /query (the last QUERY_LOG of them), so tests can count reads."""
        self.queries.append(text)
        del self.queries[:-QUERY_LOG]

    def new_id(self):
        """A fresh entity id, unique within the company as QBO's are."""
        self.next_id += 1
        return str(self.next_id)

    def collection(self, entity):
        """The dict holding entities of a QBO type name such as "Vendor" or "Bill"."""
        return {
            "Vendor": self.vendors,
            "Item": self.items,
            "Class": self.classes,
            "Account": self.accounts,
            "Term": self.terms,
            "Department": self.departments,
            "Bill": self.bills,
            "BillPayment": self.payments,
            "Attachable": self.attachables,
        }.get(entity)


class Store:
    """All mutable state, guarded by the single lock `lock`."""

    def __init__(self, settings):
        self.lock = threading.RLock()
        self.settings = settings
        self.realms = {}
        self.auth_codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.rules = []
        self.windows = {}
        self.events = []
        self.deliveries = []

    def realm(self, realm_id):
        """The company with this id, or None."""
        return self.realms.get(str(realm_id))

    def add_realm(self, realm_id):
        """Create (or return) a company."""
        realm_id = str(realm_id)
        if realm_id not in self.realms:
            self.realms[realm_id] = Realm(id=realm_id)
        return self.realms[realm_id]

    # Not kept across restarts: the lock, the command line's settings, rate-limit windows, scripted faults.
    TRANSIENT = ("lock", "settings", "windows", "rules")

    def snapshot(self):
        """Every lasting attribute (companies, tokens, events...), for persistence.StateFile; lock held."""
        return {name: value for name, value in vars(self).items() if name not in self.TRANSIENT}

    def restore(self, saved):
        """Put back what `snapshot` returned, ignoring names this version no longer has; lock held."""
        for name, value in saved.items():
            if name not in self.TRANSIENT and hasattr(self, name):
                setattr(self, name, value)

    def clear(self):
        """Forget every company, token, fault rule, window, event and delivery."""
        self.realms.clear()
        self.auth_codes.clear()
        self.access_tokens.clear()
        self.refresh_tokens.clear()
        self.rules.clear()
        self.windows.clear()
        self.events.clear()
        self.deliveries.clear()
