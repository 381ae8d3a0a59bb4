"""Escaping text from vendors and people before it goes into Slack mrkdwn."""


def esc(text: object) -> str:
    """Escape &, < and > so a product name like '<!channel>' is shown, not obeyed (Slack's rule)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
