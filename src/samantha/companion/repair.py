"""``samantha memory repair``: a damaged memory file moved aside, kept, and what SQLite can
still read brought into a fresh one.

Nothing else ever moves her memory file: a damaged file only stops her saving (she says so).
Repair renames the file (and its journal) to ``memory.sqlite3.damaged-<time>`` beside it, which
is the copy kept, then reads a scratch copy row by row, stepping over pages that cannot be read
(the idea of the sqlite3 shell's ``.recover``, done with Python's own sqlite3), and writes the
rows it got into a new file with the current schema. The facts' search index is rebuilt from the
facts, so a damaged index alone loses nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from samantha.companion.memory import FILE, Memory
from samantha.companion.storage import MemoryError_

log = logging.getLogger(__name__)
TABLES = {
    "turns": ("id", "at", "user", "reply", "summarised"),
    "facts": ("id", "at", "text"),
    "summaries": ("id", "at", "text", "upto_turn"),
    "state": ("key", "value"),
    "reminders": ("id", "due", "kind", "text", "fired"),
    "notes": ("id", "at", "list", "text"),
}
"""What is worth recovering, table by table (the search index is rebuilt, not copied)."""
MAX_SKIPS = 200
_SUFFIXES = ("", "-wal", "-shm")


@dataclass
class Repaired:
    kept: Path | None = None
    """The damaged file, as it was (None: the file was healthy, nothing was done)."""
    recovered: dict[str, int] = field(default_factory=dict)
    """Rows brought into the fresh file, per table."""
    lost: dict[str, int] = field(default_factory=dict)
    """Stretches of a table that could not be read (unreadable pages stepped over)."""


def repair(state: Path) -> Repaired:
    """Repair her memory in ``state`` if it is damaged; a clear error for any other fault."""
    path = state / FILE
    if not path.is_file():
        raise MemoryError_("empty", f"there is no memory file in {state}",
                           "nothing to repair; pass --state-dir if she keeps it elsewhere")
    try:
        Memory(state).close()
        return Repaired()
    except MemoryError_ as err:
        if err.code != "corrupt":
            raise  # a full disk or a read-only directory: repair would not help, the fix says
    kept = path.with_name(f"{FILE}.damaged-{datetime.now():%Y%m%d-%H%M%S}")
    scratch = path.with_name(f".{FILE}.repairing")
    try:
        for suffix in _SUFFIXES:
            source = Path(str(path) + suffix)
            if source.exists():
                shutil.copy2(source, str(scratch) + suffix)
        for suffix in _SUFFIXES:
            source = Path(str(path) + suffix)
            if source.exists():
                os.replace(source, str(kept) + suffix)
        log.warning("her damaged memory file was moved to %s", kept)
        result = Repaired(kept=kept)
        rows = _salvage(scratch, result)
        fresh = Memory(state)
        try:
            for table, found in rows.items():
                columns = TABLES[table]
                fresh.db.executemany(
                    f"INSERT OR IGNORE INTO {table}({', '.join(columns)}) VALUES "
                    f"({', '.join('?' * len(columns))})", found)
                result.recovered[table] = len(found)
        finally:
            fresh.close()
    except OSError as exc:
        raise MemoryError_("repair-failed", f"could not repair {path} ({exc})",
                           f"free space beside it and run it again; a moved file is "
                           f"kept as {kept}") from None
    finally:
        for suffix in _SUFFIXES:
            Path(str(scratch) + suffix).unlink(missing_ok=True)
    return result


def _salvage(scratch: Path, result: Repaired) -> dict[str, list[tuple[object, ...]]]:
    try:
        db = sqlite3.connect(scratch, isolation_level=None)
    except sqlite3.Error:
        return {}
    try:
        return {table: _rows(db, table, columns, result) for table, columns in TABLES.items()}
    finally:
        db.close()


def _rows(db: sqlite3.Connection, table: str, columns: tuple[str, ...],
          result: Repaired) -> list[tuple[object, ...]]:
    """Every row of ``table`` that can be read, in rowid order, stepping over bad pages."""
    out: list[tuple[object, ...]] = []
    after, skip, skips = -(1 << 63), 0, 0
    query = (f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ? "
             "ORDER BY rowid")
    while skips <= MAX_SKIPS:
        try:
            for row in db.execute(query, (after + skip,)):
                out.append(tuple(row[1:]))
                after, skip = int(row[0]), 0
            return out
        except sqlite3.DatabaseError as exc:
            if after == -(1 << 63) and skip == 0 and "no such table" in str(exc):
                return out
            result.lost[table] = result.lost.get(table, 0) + 1
            skip, skips = max(1, skip * 2), skips + 1
            if after == -(1 << 63):
                after = 0  # the table's first page is bad: look past it from rowid 1
    return out
