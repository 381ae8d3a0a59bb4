"""Web API methods about views: views.open, views.update and views.publish."""

from __future__ import annotations

import copy
import json
import secrets
from typing import Any

from .blocks import MAX_BLOCKS, limit_problems, parse_blocks
from .errors import SlackError
from .state import SlackState


def _view_json(raw: Any, expected_type: str) -> dict[str, Any]:
    """A view from a JSON string or an object, e.g. {"type": "modal", "title": {...}, "blocks": [...]}."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackError("invalid_arguments") from None
    if not isinstance(raw, dict) or raw.get("type") != expected_type:
        raise SlackError("invalid_arguments")
    if expected_type == "modal" and not isinstance(raw.get("title"), dict):
        raise SlackError("invalid_arguments")
    return raw


def _view_object(state: SlackState, view_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack returns it: the app's fields plus id, state, hash and the app's identity."""
    workspace = state.workspace
    view = copy.deepcopy(raw)
    view["blocks"] = parse_blocks(raw.get("blocks") or [], "modal") or []
    view.update(
        id=view_id,
        team_id=workspace.team_id,
        state={"values": {}},
        hash=f"{int(float(state.next_ts()))}.{secrets.token_hex(4)}",
        previous_view_id=None,
        root_view_id=view_id,
        app_id=workspace.app_id,
        app_installed_team_id=workspace.team_id,
        bot_id=workspace.bot_id,
    )
    for key, default in (("private_metadata", ""), ("callback_id", ""), ("external_id", "")):
        view.setdefault(key, default)
    view.setdefault("clear_on_close", False)
    view.setdefault("notify_on_close", False)
    return view


def open_view(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """views.open: a modal for the user who clicked, if the trigger_id is fresh and unused."""
    raw = _view_json(args.get("view"), "modal")
    trigger = state.use_trigger(str(args.get("trigger_id") or ""))
    view_id = "V" + secrets.token_hex(5).upper()
    view = _view_object(state, view_id, raw)
    state.views[view_id] = {
        "view_id": view_id,
        "trigger_id": args["trigger_id"],
        "user": trigger["user"],
        "surface": "modal",
        "view": view,
        "history": [],
    }
    return {"view": copy.deepcopy(view)}


def update_view(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """views.update: replace an open view found by view_id or external_id, checking hash if given."""
    record = _find(state, args)
    if args.get("hash") and args["hash"] != record["view"]["hash"]:
        raise SlackError("hash_conflict")
    raw = _view_json(args.get("view"), record["view"]["type"])
    record["history"].append(record["view"])
    record["view"] = _view_object(state, record["view_id"], raw)
    return {"view": copy.deepcopy(record["view"])}


def _find(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    for record in state.views.values():
        if args.get("view_id") == record["view_id"] or (
            args.get("external_id") and args["external_id"] == record["view"].get("external_id")
        ):
            return record
    raise SlackError("not_found")


def publish(state: SlackState, args: dict[str, Any]) -> dict[str, Any]:
    """views.publish: the user's App Home tab."""
    user = str(args.get("user_id") or "")
    if user not in state.workspace.users:
        raise SlackError("user_not_found")
    raw = _view_json(args.get("view"), "home")
    _within_limits(raw)
    existing = next((r for r in state.views.values() if r["surface"] == "home" and r["user"] == user), None)
    view_id = existing["view_id"] if existing else "V" + secrets.token_hex(5).upper()
    view = _view_object(state, view_id, raw)
    if existing:
        existing["history"].append(existing["view"])
        existing["view"] = view
    else:
        state.views[view_id] = {
            "view_id": view_id,
            "trigger_id": None,
            "user": user,
            "surface": "home",
            "view": view,
            "history": [],
        }
    return {"view": copy.deepcopy(view)}


def _within_limits(raw: dict[str, Any]) -> None:
    """views.publish's refusal of a view over Block Kit's limits: not chat's invalid_blocks but invalid_arguments,
    "[ERROR] failed to match all allowed schemas [json-pointer:/view]" then one message per complaint, pointing into
    /view (incidentbot/incidentbot#307: a Home tab refused with "[ERROR] no more than 5 items allowed
    [json-pointer:/view/blocks/20/accessory/options]"; grafana-cold-storage/oncall#210, a view of too many blocks:
    "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]");
    tests/sandbox/recorded/slack/views_publish_too_many_blocks.json."""
    blocks = raw.get("blocks")
    if not isinstance(blocks, list) or not all(isinstance(block, dict) for block in blocks):
        return  # parse_blocks refuses these as it does for messages
    problems = limit_problems(blocks, MAX_BLOCKS["modal"])
    if problems:
        messages = [f"[ERROR] {p.replace('[json-pointer:/blocks', '[json-pointer:/view/blocks')}" for p in problems]
        raise SlackError(
            "invalid_arguments",
            response_metadata={
                "messages": ["[ERROR] failed to match all allowed schemas [json-pointer:/view]", *messages]
            },
        )


METHODS = {"views.open": open_view, "views.update": update_view, "views.publish": publish}
