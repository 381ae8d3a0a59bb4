"""What Slack knows about the installed app from its manifest: its bot's name and its slash commands.

Slack routes only the commands an app registered; anything else typed with a leading "/" is answered by
Slackbot, not sent. A command with `should_escape` gets its mentions as Slack's tokens (sandbox/slack/typed.py).
The sandbox reads the product's own bot/manifest.yml so the page follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "bot" / "manifest.yml"


@dataclass(frozen=True)
class AppManifest:
    """The app's name as messages show it, and its commands (None: unknown, so every command is sent)."""

    name: str = "invoice-sync"
    bot_name: str = "invoice-sync"
    commands: tuple[str, ...] | None = None
    escaped: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = MANIFEST) -> AppManifest:
        """The manifest at `path`, e.g. {"display_information": {"name": "invoice-sync"},
        "features": {"bot_user": {"display_name": "invoice-sync"}, "slash_commands": [{"command": "/invoice"}]}}.

        A missing or unreadable manifest gives the defaults, with commands unknown.
        """
        try:
            data = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        name = str((data.get("display_information") or {}).get("name") or cls.name)
        features = data.get("features") or {}
        bot_name = str((features.get("bot_user") or {}).get("display_name") or name)
        registered = [c for c in features.get("slash_commands") or [] if isinstance(c, dict) and c.get("command")]
        commands = tuple(str(c["command"]) for c in registered)
        escaped = tuple(str(c["command"]) for c in registered if c.get("should_escape") is True)
        return cls(name, bot_name, commands, escaped)

    def handles(self, command: str) -> bool:
        """Whether Slack would send `command` (e.g. "/invoice") to the app."""
        return self.commands is None or command in self.commands

    def escapes(self, command: str) -> bool:
        """Whether Slack sends `command`'s mentions as <@U…|name> and <#C…|name> (`should_escape: true`)."""
        return command in self.escaped
