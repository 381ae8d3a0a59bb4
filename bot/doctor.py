"""What `invoice-sync doctor` asks Slack: whose token it is, the bot in each channel, the user groups readable."""

from bot.slack_client import WebClient, describe, job_client
from settings import Settings

CHANNELS = {
    "SLACK_PROCUREMENT_CHANNEL": "slack_procurement_channel",
    "SLACK_ACCOUNTING_CHANNEL": "slack_accounting_channel",
}
LISTS = {
    "SLACK_PROCUREMENT_APPROVERS": "slack_procurement_approvers",
    "SLACK_ACCOUNTING_APPROVERS": "slack_accounting_approvers",
    "SLACK_AP_SENDERS": "slack_ap_senders",
}
# (passed, what was checked, what was found: the fix when it failed)
Finding = tuple[bool, str, str]


def slack_findings(settings: Settings) -> list[Finding]:
    """auth.test, then conversations.info of both channels and usergroups.users.list of each approver group."""
    client = job_client(settings)
    try:
        me = client.auth_test()
    except Exception as error:  # noqa: BLE001 - every refusal is a finding, worded by describe
        return [(False, "Slack workspace", describe(error))]
    found = [(True, "Slack workspace", f"{me.get('team')} answers; the bot is @{me.get('user')} ({me.get('user_id')})")]
    found += [channel_finding(client, getattr(settings, field), variable) for variable, field in CHANNELS.items()]
    groups: dict[str, list[str]] = {}
    for variable, field in LISTS.items():
        for principal in getattr(settings, field):
            if principal.startswith("S"):
                groups.setdefault(principal, []).append(variable)
    if not groups:
        found.append((True, "Slack user groups", "none in the approver and sender lists (user ids only)"))
    found += [group_finding(client, group, variables) for group, variables in groups.items()]
    return found


def channel_finding(client: WebClient, channel: str, variable: str) -> Finding:
    """Whether the bot is in the live channel `channel` (conversations.info's is_member and is_archived)."""
    subject = f"Slack channel {channel} ({variable})"
    try:
        info = client.conversations_info(channel=channel)["channel"]
    except Exception as error:  # noqa: BLE001 - every refusal is a finding, worded by describe
        return False, subject, describe(error, channel, variable)
    name = f"#{info.get('name') or channel}"
    if info.get("is_archived"):
        return False, subject, f"{name} is archived: unarchive it, or set {variable} to a live channel the bot is in"
    if not info.get("is_member"):
        return False, subject, f"the bot is not in {name}: type /invite @invoice-sync in that channel"
    return True, subject, f"{name}, the bot is a member"


def group_finding(client: WebClient, group: str, variables: list[str]) -> Finding:
    """Whether the members of user group `group` can be read, and it has some (usergroups.users.list)."""
    subject = f"Slack user group {group} ({', '.join(variables)})"
    try:
        users = client.usergroups_users_list(usergroup=group)["users"]
    except Exception as error:  # noqa: BLE001 - every refusal is a finding, worded by describe
        return False, subject, describe(error)
    if not users:
        listed = " or ".join(variables)
        return False, subject, f"has no members, so nobody acts through it: add people to it in Slack, or to {listed}"
    return True, subject, f"{len(users)} member{'s' if len(users) != 1 else ''} read"
