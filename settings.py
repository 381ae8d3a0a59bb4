"""The service's configuration: read once from the environment (and `.env`), validated, passed in."""

import re
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from invoices.accounting import AccountingPolicy, parse_location_from
from invoices.numbering import FIELDS as NUMBER_FIELDS
from invoices.numbering import BillNumbering

INSTANCE_DIR = Path("instance")
_SLACK_PRINCIPAL = re.compile(r"^[UWS][A-Z0-9]{2,}$")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_BILL_FIELDS = set(NUMBER_FIELDS)
# An attachment URL prefix: scheme and host (and port), then any path; no user name, query or fragment.
_URL_PREFIX = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+(/[^?#@\s]*)?$")

CommaList = Annotated[tuple[str, ...], NoDecode]


class ConfigurationError(Exception):
    """Configuration that cannot run; the message names every variable at fault."""


class Settings(BaseSettings):
    """Every variable of docs/interfaces.md; secrets are SecretStr so they never show in logs or reprs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str | None = Field(default=None, repr=False)
    redis_url: str | None = Field(default=None, repr=False)
    upload_webhook_secret: SecretStr
    slack_bot_token: SecretStr
    slack_signing_secret: SecretStr
    slack_api_url: str = "https://slack.com/api/"
    # Multiplies the rates bot.pacing keeps under Slack's limits: 1 against Slack; more only against a Slack sandbox
    # whose limits are off or scaled alike (tests, benchmarks about something else than Slack's pace).
    slack_pace_scale: float = Field(default=1.0, gt=0)
    slack_procurement_channel: str
    slack_accounting_channel: str
    slack_procurement_approvers: CommaList
    slack_accounting_approvers: CommaList
    slack_ap_senders: CommaList
    qbo_client_id: str
    qbo_client_secret: SecretStr
    qbo_redirect_uri: str
    qbo_environment: str = "sandbox"
    qbo_api_url: str | None = None
    qbo_realm_id: str | None = None
    qbo_refresh_token: SecretStr | None = None
    qbo_webhook_verifier_token: SecretStr | None = None
    qbo_item_name: str = "Fresh Cut Flowers"
    qbo_http_timeout: float = Field(default=20.0, gt=0)
    qbo_throttle_backoff: float = Field(default=60.0, ge=0)
    # The Bill's accounting fields (invoices.accounting), each off when unset or empty.
    qbo_ap_account: str | None = None
    qbo_due_date_from_terms: bool = False
    qbo_location_from: str | None = None
    bill_number_format: str = "{po_number}-{invoice_number}"
    closed_books: Literal["block", "next_open_day"] = "block"
    # Above this total, Accounting needs two approvals by different people (§8); none: one approval always.
    accounting_second_approval_above: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    secret_key: SecretStr | None = None
    erp_events_url: str | None = None
    erp_events_secret: SecretStr | None = None
    erp_api_token: SecretStr | None = None
    komet_api_token: SecretStr | None = None
    komet_api_url: str = "https://api.kometsales.com/api/"
    attachment_allowed_urls: CommaList = ()
    # Seconds an invoice may wait in AP or AA before its thread reminds who may act (docs/quickbooks.md); 0: never.
    approval_reminder_after: int = Field(default=86400, ge=0)
    # Days a delivery's key (an upload's or an ERP action's webhook-id, a QuickBooks event's) is kept: a repeat
    # within them is recognised and answered as one; the sweep prunes older keys (services.reconcile.retention).
    idempotency_keep_days: int = Field(default=30, ge=1)
    # GET /metrics asks for `Authorization: Bearer <token>` when set; open without it.
    metrics_token: SecretStr | None = None
    # json: one JSON object a line (production); text: the development default.
    log_format: Literal["text", "json"] = "text"
    instance_dir: Path = Field(default=INSTANCE_DIR, exclude=True)

    @field_validator("upload_webhook_secret", "erp_events_secret")
    @classmethod
    def _standard_webhooks_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must be a Standard Webhooks secret starting with 'whsec_'")
        return value

    @field_validator(
        "erp_events_url", "erp_events_secret", "erp_api_token", "komet_api_token", "metrics_token", mode="before"
    )
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        # `ERP_EVENTS_URL=` in a .env copied from .env.example means "off", not an invalid URL.
        return None if value == "" else value

    @field_validator("qbo_location_from")
    @classmethod
    def _location_from(cls, value: str | None) -> str | None:
        parse_location_from(value)  # ValueError says what is wrong
        return value

    @field_validator("erp_events_url", "komet_api_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("attachment_allowed_urls", mode="before")
    @classmethod
    def _url_prefixes(cls, value: str | tuple[str, ...]) -> tuple[str, ...]:
        items = tuple(v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip())
        bad = [v for v in items if not _URL_PREFIX.match(v)]
        if bad:
            raise ValueError(f"must be http:// or https:// URL prefixes with a host, without ? or #: {', '.join(bad)}")
        return items

    @model_validator(mode="after")
    def _events_signed(self) -> "Settings":
        if self.erp_events_url and self.erp_events_secret is None:
            raise ValueError("ERP_EVENTS_SECRET is required with ERP_EVENTS_URL (events are always signed)")
        return self

    @field_validator("slack_procurement_approvers", "slack_accounting_approvers", "slack_ap_senders", mode="before")
    @classmethod
    def _principals(cls, value: str | tuple[str, ...]) -> tuple[str, ...]:
        items = tuple(v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip())
        bad = [v for v in items if not _SLACK_PRINCIPAL.match(v)]
        if bad:
            raise ValueError(f"not Slack user or user group ids: {', '.join(bad)}")
        if not items:
            raise ValueError("must name at least one Slack user or user group id")
        return items

    @field_validator("slack_procurement_channel", "slack_accounting_channel")
    @classmethod
    def _channel(cls, value: str) -> str:
        if not _CHANNEL.match(value):
            raise ValueError(f"{value!r} is not a Slack channel id (like C0123ABCD)")
        return value

    @field_validator("qbo_environment")
    @classmethod
    def _environment(cls, value: str) -> str:
        if value not in ("sandbox", "production") and not value.startswith(("http://", "https://")):
            raise ValueError("must be 'sandbox', 'production' or the URL of an OpenID discovery document")
        return value

    @field_validator("qbo_api_url")
    @classmethod
    def _api_url(cls, value: str | None) -> str | None:
        if value is not None and not value.rstrip("/").endswith("/v3"):
            raise ValueError("must be the accounting API base ending in /v3")
        return value.rstrip("/") if value else value

    @field_validator("bill_number_format")
    @classmethod
    def _bill_format(cls, value: str) -> str:
        fields = set(re.findall(r"{(\w*)}", value))
        if not fields or fields - _BILL_FIELDS:
            raise ValueError(f"may use only {{{'}, {'.join(sorted(_BILL_FIELDS))}}} and must use one")
        try:
            BillNumbering(value).parts()
        except ValueError as error:
            raise ValueError(f"is not a plain template ({error})") from None
        return value

    def accounting(self) -> AccountingPolicy:
        """The Bill's accounting fields of QBO_AP_ACCOUNT, QBO_DUE_DATE_FROM_TERMS and QBO_LOCATION_FROM."""
        return AccountingPolicy.of(self.qbo_ap_account, self.qbo_due_date_from_terms, self.qbo_location_from)

    @property
    def uses_embedded_defaults(self) -> bool:
        """True in development: no DATABASE_URL, so SQLite and an embedded Redis under instance/."""
        return self.database_url is None

    def resolved_database_url(self) -> str:
        """The SQLAlchemy URL, defaulting to SQLite under instance/ and preferring psycopg 3."""
        if self.database_url is None:
            return f"sqlite:///{(self.instance_dir / 'invoice-sync.db').resolve()}"
        return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", self.database_url)

    def encryption_key(self) -> str:
        """SECRET_KEY, or in development a key generated once and kept under instance/."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not self.uses_embedded_defaults:
            raise ConfigurationError("SECRET_KEY is required outside development (DATABASE_URL is set)")
        path = self.instance_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip()


def load_settings(**overrides) -> Settings:
    """Read the settings once, or raise ConfigurationError naming each missing or malformed variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            name = str(item["loc"][0]).upper() if item["loc"] else "configuration"
            if item["type"] == "missing":
                problems.append(f"{name} is required")
            else:
                problems.append(f"{name} {item['msg'].removeprefix('Value error, ')}")
        raise ConfigurationError("Invalid configuration: " + "; ".join(problems)) from None
    if not settings.uses_embedded_defaults and settings.secret_key is None:
        raise ConfigurationError("Invalid configuration: SECRET_KEY is required outside development")
    return settings
