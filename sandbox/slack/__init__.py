"""A local Slack: a Web API sandbox for slack_sdk, and signed requests that act as Slack towards an app."""

from .app import create_app
from .blocks import ButtonNotFound, find_button
from .harness import SlackSandbox, serve_in_thread
from .payloads import SlackRequests, view_state
from .signing import signature, signed_headers
from .state import SlackState
from .workspace import DEMO_TOKEN, Workspace, demo_workspace

__all__ = [
    "DEMO_TOKEN",
    "ButtonNotFound",
    "SlackRequests",
    "SlackSandbox",
    "SlackState",
    "Workspace",
    "create_app",
    "demo_workspace",
    "find_button",
    "serve_in_thread",
    "signature",
    "signed_headers",
    "view_state",
]
