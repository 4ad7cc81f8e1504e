"""The recent conversation, kept in the state directory so she picks up where she left off.

The directory is hers alone (0700) and the file is 0600. Writes are atomic: a crash leaves the
old file or the new one, never half of either.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
FILE = "history.json"
KEEP = 50


def ensure_state_dir(state: Path) -> Path:
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state, 0o700)
    return state


def load_history(state: Path) -> list[tuple[str, str]]:
    path = state / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [(str(u), str(a)) for u, a in data.get("turns", [])][-KEEP:]
    except FileNotFoundError:
        return []
    except (ValueError, TypeError, AttributeError) as exc:
        broken = path.with_name(FILE + ".broken")
        os.replace(path, broken)
        log.warning("history file was unreadable (%s); kept it as %s and started afresh",
                    exc, broken)
        return []


def save_history(state: Path, turns: list[tuple[str, str]]) -> None:
    ensure_state_dir(state)
    path = state / FILE
    tmp = path.with_name(FILE + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"turns": turns[-KEEP:]}, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
