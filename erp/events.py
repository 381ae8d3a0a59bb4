"""Pushing one event to ERP_EVENTS_URL, signed as Standard Webhooks asks, answered as the ERP answered."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from standardwebhooks.webhooks import Webhook

from services.ports import ErpAnswer

# §9: an attempt is abandoned after 10 s and retried on the schedule.
CONNECT_SECONDS, READ_SECONDS = 5, 10
SHOWN_BODY = 200


class ErpEvents:
    """The ERP endpoint of one deployment; redirects are never followed (an answer like any other)."""

    def __init__(self, url: str, secret: str):
        self.url, self.webhook = url, Webhook(secret)
        self.http = requests.Session()

    def deliver(self, event_id: int, body: bytes) -> ErpAnswer:
        """One signed POST of `body`, e.g. answered ErpAnswer(503, '503 Service Unavailable: busy', 30.0)."""
        message_id, now = f"evt_{event_id}", datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "user-agent": "invoice-sync",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.webhook.sign(message_id, now, body),
        }
        try:
            answer = self.http.post(
                self.url, data=body, headers=headers, timeout=(CONNECT_SECONDS, READ_SECONDS), allow_redirects=False
            )
        except requests.Timeout:
            return ErpAnswer(None, f"no answer within {READ_SECONDS} s")
        except requests.RequestException as error:
            return ErpAnswer(None, f"could not reach the ERP ({type(error).__name__})")
        said = " ".join(answer.text.split())[:SHOWN_BODY]
        return ErpAnswer(
            answer.status_code,
            f"{answer.status_code} {answer.reason}" + (f": {said}" if said else ""),
            retry_after(answer.headers.get("retry-after")),
        )

    def knock(self) -> ErpAnswer:
        """An unsigned GET of the endpoint for the operator's doctor: changes nothing, and any answer shows it is up."""
        try:
            answer = self.http.get(
                self.url,
                headers={"user-agent": "invoice-sync doctor"},
                timeout=(CONNECT_SECONDS, READ_SECONDS),
                allow_redirects=False,
            )
        except requests.Timeout:
            return ErpAnswer(None, f"no answer within {READ_SECONDS} s")
        except requests.RequestException as error:
            return ErpAnswer(None, f"could not reach the ERP ({type(error).__name__})")
        return ErpAnswer(answer.status_code, f"{answer.status_code} {answer.reason}")


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
