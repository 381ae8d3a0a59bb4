"""The QuickBooks company kept in a file, so a restarted sandbox still has its Bills and accepts its tokens.

The store's whole state goes through a generic, tagged JSON codec (Decimal, set, tuple, non-string
dict keys, the store's own dataclasses), so whatever entity kinds the store grows are kept without
this module naming them. Only dataclasses of sandbox.quickbooks are rebuilt from a file; a field a
newer version added takes its default, a field it dropped is ignored.
"""

import base64
import dataclasses
import importlib
import json
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sandbox.state_file import write_private

TRUSTED_MODULE = "sandbox.quickbooks."


class StateFile:
    """Restores a Store from `path` and writes it back atomically; `save` is safe from any thread."""

    def __init__(self, store, path):
        self.store, self.path = store, Path(path)
        self._writing = threading.Lock()

    def load(self):
        """Restore the saved company, tokens and events into the store; False when there is no file yet."""
        saved = read(self.path)
        if saved is None:
            return False
        with self.store.lock:
            self.store.restore(saved)
        return True

    def save(self):
        """Write the store's state: a temporary file renamed over the old one, so a crash never leaves half."""
        with self.store.lock:
            text = json.dumps(encode(self.store.snapshot()))
        with self._writing:
            write_private(self.path, text)


def read(path):
    """The saved state, decoded, or None when there is no file."""
    try:
        return decode(json.loads(Path(path).read_text()))
    except FileNotFoundError:
        return None


def bill_count(path):
    """How many Bills the saved companies hold; 0 without a file."""
    realms = (read(path) or {}).get("realms", {})
    return sum(len(getattr(realm, "bills", {})) for realm in realms.values())


def encode(value):
    """JSON-ready data for a value of the store, with tags where JSON has no type of its own."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (set, frozenset)):
        return {"$set": [encode(item) for item in value]}
    if isinstance(value, tuple):
        return {"$tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) and not key.startswith("$") for key in value):
            return {key: encode(item) for key, item in value.items()}
        return {"$items": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        return {
            "$dataclass": f"{kind.__module__}:{kind.__qualname__}",
            "fields": {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)},
        }
    raise TypeError(f"the QuickBooks sandbox cannot keep a {type(value).__name__} in its state file")


def decode(data):
    """The value `encode` wrote."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    if "$decimal" in data:
        return Decimal(data["$decimal"])
    if "$set" in data:
        return {decode(item) for item in data["$set"]}
    if "$tuple" in data:
        return tuple(decode(item) for item in data["$tuple"])
    if "$items" in data:
        return {_hashable(decode(key)): decode(item) for key, item in data["$items"]}
    if "$datetime" in data:
        return datetime.fromisoformat(data["$datetime"])
    if "$date" in data:
        return date.fromisoformat(data["$date"])
    if "$bytes" in data:
        return base64.b64decode(data["$bytes"])
    if "$dataclass" in data:
        return _dataclass(data["$dataclass"], {key: decode(item) for key, item in data["fields"].items()})
    return {key: decode(item) for key, item in data.items()}


def _hashable(key):
    return tuple(_hashable(part) for part in key) if isinstance(key, list) else key


def _dataclass(name, values):
    module, _, qualname = name.partition(":")
    if not (module + ".").startswith(TRUSTED_MODULE):
        raise ValueError(f"the state file names {name}, which is not a class of the QuickBooks sandbox")
    kind = importlib.import_module(module)
    for part in qualname.split("."):
        kind = getattr(kind, part)
    known = {f.name: f for f in dataclasses.fields(kind)}
    instance = kind(**{key: value for key, value in values.items() if key in known and known[key].init})
    for key, value in values.items():
        if key in known and not known[key].init:
            setattr(instance, key, value)
    return instance
