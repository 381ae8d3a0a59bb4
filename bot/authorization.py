"""Who a Slack user is to invoice-sync: roles from the approver lists, failing closed."""

import json
import logging
from dataclasses import dataclass

from redis import RedisError

from bot.slack_client import WebClient, describe
from invoices.rules import Actor, Role
from services.runtime import Runtime

log = logging.getLogger(__name__)
GROUP_CACHE_SECONDS = 120
_CACHE_KEY = "invoice-sync:slack-usergroup:{}"


@dataclass(frozen=True)
class SlackActor:
    """The domain's Actor for a Slack user, plus the role lists that could not be checked."""

    actor: Actor
    unchecked: tuple[Role, ...] = ()

    def explain(self, refusal: str) -> str:
        """The refusal, with why the user's role may be missing when a group lookup failed."""
        if not self.unchecked:
            return refusal
        roles = " and ".join(role.value for role in self.unchecked)
        return (
            f"{refusal} The {roles} list could not be checked with Slack just now, so it counts as not "
            "including you; try again in a minute."
        )


def _lists(runtime: Runtime) -> dict[Role, tuple[str, ...]]:
    settings = runtime.settings
    return {
        Role.PROCUREMENT_APPROVER: settings.slack_procurement_approvers,
        Role.ACCOUNTING_APPROVER: settings.slack_accounting_approvers,
        Role.AP_SENDER: settings.slack_ap_senders,
    }


def resolve_actor(runtime: Runtime, client: WebClient, user_id: str) -> SlackActor:
    """The roles `user_id` holds: listed directly, or as a member of a listed user group."""
    roles: set[Role] = set()
    unchecked: list[Role] = []
    for role, principals in _lists(runtime).items():
        if user_id in principals:
            roles.add(role)
            continue
        try:
            if any(user_id in group_members(runtime, client, p) for p in principals if p.startswith("S")):
                roles.add(role)
        except Exception as error:  # noqa: BLE001 - any failure to check means no role: fail closed
            log.warning("could not check the %s list for %s: %s", role.value, user_id, describe(error))
            unchecked.append(role)
    return SlackActor(Actor(id=user_id, roles=frozenset(roles)), tuple(unchecked))


def group_members(runtime: Runtime, client: WebClient, group_id: str) -> frozenset[str]:
    """The user ids of a Slack user group, cached briefly in Redis so clicks rarely call Slack."""
    key = _CACHE_KEY.format(group_id)
    try:
        cached = runtime.redis.get(key)
    except RedisError:
        cached = None
    if cached is not None:
        return frozenset(json.loads(cached))
    members = client.usergroups_users_list(usergroup=group_id)["users"]
    try:
        runtime.redis.set(key, json.dumps(members), ex=GROUP_CACHE_SECONDS)
    except RedisError:
        log.warning("could not cache the members of user group %s", group_id)
    return frozenset(members)
