"""Scripted faults: the next N matching API requests misbehave in a chosen way."""

import itertools
import random

# refused: 403 ApplicationAuthorizationFailed ("shape": "lowercase" or "xml"); access_lost: 401 code 120, which a
# token refresh does not cure (the refresh itself succeeds, as the grant is still valid). See faults.py.
KINDS = ("throttle", "error", "hang", "lost", "expire_token", "refused", "access_lost")
SHAPES = ("lowercase", "xml")
_ids = itertools.count(1)


def add(store, spec):
    """Register a rule from e.g. {"kind": "error", "status": 503, "count": 2, "method": "POST", "path": "/bill"}.

    With "share": 0.1 the rule takes each matching request with that probability (a chaos run's 10% of calls), and
    "count": -1 keeps it for every request until the faults are cleared."""
    kind = spec.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    status = int(spec.get("status", 502 if kind == "lost" else 503))
    if kind == "error" and status not in (500, 502, 503, 504):
        raise ValueError("status must be 500, 502, 503 or 504")
    if kind == "lost" and spec.get("mode", "502") not in ("502", "abort"):
        raise ValueError("mode must be 502 or abort")
    if spec.get("shape", "lowercase") not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}")
    share = float(spec.get("share", 1))
    if not 0 < share <= 1:
        raise ValueError("share must be above 0 and at most 1")
    rule = {
        "id": next(_ids),
        "kind": kind,
        "remaining": int(spec.get("count", 1)),
        "method": (spec.get("method") or "").upper() or None,
        "path": spec.get("path") or None,
        "realm": str(spec["realm_id"]) if spec.get("realm_id") else None,
        "status": status,
        "seconds": float(spec.get("seconds", 5)),
        "mode": spec.get("mode", "502"),
        "shape": spec.get("shape", "lowercase"),
        "share": share,
    }
    store.rules.append(rule)
    return rule


def take(store, method, path, realm_id):
    """Consume and return the first rule matching this request, or None; call with the store lock held."""
    for rule in store.rules:
        if rule["method"] and rule["method"] != method:
            continue
        if rule["path"] and rule["path"] not in path:
            continue
        if rule["realm"] and rule["realm"] != realm_id:
            continue
        if rule["share"] < 1 and random.random() >= rule["share"]:
            continue
        if rule["remaining"] < 0:
            return dict(rule)
        rule["remaining"] -= 1
        if rule["remaining"] <= 0:
            store.rules.remove(rule)
        return dict(rule)
    return None
