"""The local ERP's copy of each invoice kept in a file, so `make run` again shows what the ERP was told before.

Only the copy is kept: the deliveries log, scripted answers and the down switch start afresh.
"""

import json
import threading
from pathlib import Path

from sandbox.state_file import write_private


class StateFile:
    """Restores an ErpState's invoices from `path` and writes them back atomically; `save` is safe from any thread."""

    def __init__(self, state, path: Path) -> None:
        self.state, self.path = state, Path(path)
        self._writing = threading.Lock()

    def load(self) -> bool:
        """Restore the saved copy; False when there is no file yet."""
        try:
            saved = json.loads(self.path.read_text())
        except FileNotFoundError:
            return False
        with self.state.lock:
            self.state.invoices = {data["id"]: data for data in saved.get("invoices", [])}
        return True

    def save(self) -> None:
        """Write the copy: a temporary file renamed over the old one, one writer at a time."""
        with self.state.lock:
            text = json.dumps({"invoices": list(self.state.invoices.values())})
        with self._writing:
            write_private(self.path, text)


def invoice_count(path: Path) -> int:
    """How many invoices a saved copy holds; 0 without a file (or with an unreadable one)."""
    try:
        return len(json.loads(Path(path).read_text()).get("invoices", []))
    except (FileNotFoundError, ValueError):
        return 0
