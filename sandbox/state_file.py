"""The sandboxes' state files: written whole or not at all, readable only by their owner."""

import os
from pathlib import Path


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` (mode 0600) through a temporary file renamed over it, so a crash never leaves half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(text)
    os.replace(temporary, path)
