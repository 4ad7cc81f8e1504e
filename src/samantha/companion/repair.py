"""``samantha memory repair``: a damaged memory file moved aside, kept, and every row that can
still be read, with the newest good snapshot, brought into a fresh one.

Nothing else ever moves her memory file: a damaged file only stops her saving (she says so).
Repair renames the file (and its journal) to ``memory.sqlite3.damaged-<time>`` beside it, which
is the copy kept and never deleted, then reads a scratch copy two ways: through SQLite, table by
table and row by row, stepping over pages that cannot be read; and page by page
(``companion.salvage``, the idea of the sqlite3 shell's ``.recover``), which still finds the rows
of a torn file whose b-trees are cut. The newest snapshot that checks out
(``companion.snapshot``) fills in what the damaged file lost: a row the file still has wins (it
is newer). The search index is rebuilt from the facts, so a damaged index alone loses nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from samantha.companion import snapshot
from samantha.companion.memory import FILE, Memory
from samantha.companion.salvage import Row, salvage, tables
from samantha.companion.storage import MemoryError_

log = logging.getLogger(__name__)
TABLES = {name: table.columns for name, table in tables().items()}
"""What is worth recovering, table by table, as the schema has it now (the search index is
rebuilt, not copied)."""
MAX_SKIPS = 200
_SUFFIXES = ("", "-wal", "-shm")


@dataclass
class Repaired:
    kept: Path | None = None
    """The damaged file, as it was (None: the file was healthy, nothing was done)."""
    recovered: dict[str, int] = field(default_factory=dict)
    """Rows brought into the fresh file, per table (from the file and the snapshot)."""
    from_file: dict[str, int] = field(default_factory=dict)
    """Of those, rows read from the damaged file."""
    from_snapshot: dict[str, int] = field(default_factory=dict)
    """Of those, rows only the snapshot still had."""
    snapshot: Path | None = None
    """The snapshot merged in (None: there was none that checked out)."""
    lost: dict[str, int] = field(default_factory=dict)
    """Stretches of a table SQLite could not read (pages stepped over); "cells": records the
    page-by-page read could not decode (an overflow page gone)."""
    missing_pages: int = 0
    """Pages the damaged file's header counts that are gone (a torn file)."""


def repair(state: Path) -> Repaired:
    """Repair her memory in ``state`` if it is damaged; a clear error for any other fault."""
    path = state / FILE
    if not path.is_file():
        raise MemoryError_("empty", f"there is no memory file in {state}",
                           "nothing to repair; pass --state-dir if she keeps it elsewhere")
    try:
        Memory(state, snapshots=False).close()
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
        result.from_file = {table: len(found) for table, found in rows.items() if found}
        result.snapshot = snapshot.newest_good(path)
        if result.snapshot is not None:
            try:
                _merge(rows, _read(result.snapshot), result)
            except sqlite3.Error as exc:  # what the file gave is still brought in
                log.warning("the snapshot %s could not be read (%s)", result.snapshot, exc)
                result.snapshot = None
        fresh = Memory(state, snapshots=False)  # the good snapshots stay as they are
        try:
            with fresh.tx() as db:
                for table, found in rows.items():
                    columns = TABLES[table]
                    done = db.executemany(
                        f"INSERT OR IGNORE INTO {table}({', '.join(columns)}) VALUES "
                        f"({', '.join('?' * len(columns))})", list(found.values()))
                    result.recovered[table] = max(0, done.rowcount)
        finally:
            fresh.close()
    except (OSError, sqlite3.Error) as exc:
        raise MemoryError_("repair-failed", f"could not repair {path} ({exc})",
                           f"free space beside it and run it again; a moved file is "
                           f"kept as {kept}") from None
    finally:
        for suffix in _SUFFIXES:
            Path(str(scratch) + suffix).unlink(missing_ok=True)
    return result


def _salvage(scratch: Path, result: Repaired) -> dict[str, dict[object, Row]]:
    """The rows SQLite can read, then those only a page-by-page read finds, by key. The pages
    are read first, as they are: closing SQLite's connection may checkpoint the WAL into them."""
    rows: dict[str, dict[object, Row]] = {table: {} for table in TABLES}
    pages = salvage(scratch)
    try:
        db = sqlite3.connect(scratch, isolation_level=None)
        try:
            for table, columns in TABLES.items():
                rows[table].update((row[0], row) for row in _rows(db, table, columns, result))
        finally:
            db.close()
    except sqlite3.Error as exc:
        log.info("SQLite cannot read the damaged file at all (%s); reading its pages", exc)
    result.missing_pages = pages.missing_pages
    if pages.lost:
        result.lost["cells"] = pages.lost
    for table, found in pages.rows.items():
        for key, row in found.items():
            rows[table].setdefault(key, row)
    return rows


def _read(snapshot: Path) -> dict[str, dict[object, Row]]:
    """The snapshot's rows; a column an older schema lacked reads as '' (``lang``)."""
    db = sqlite3.connect(snapshot.as_uri() + "?immutable=1", uri=True)
    try:
        out: dict[str, dict[object, Row]] = {}
        for table, columns in TABLES.items():
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            if have:
                picked = ", ".join(c if c in have else "''" for c in columns)
                out[table] = {row[0]: tuple(row) for row in
                              db.execute(f"SELECT {picked} FROM {table}")}
        return out
    finally:
        db.close()


def _merge(rows: dict[str, dict[object, Row]], older: dict[str, dict[object, Row]],
           result: Repaired) -> None:
    """The snapshot's rows the damaged file no longer has (the file's own rows are newer)."""
    texts = {row[2] for row in rows["facts"].values()}
    for table, found in older.items():
        added = 0
        for key, row in found.items():
            if key in rows[table] or (table == "facts" and row[2] in texts):
                continue
            rows[table][key] = row
            added += 1
        if added:
            result.from_snapshot[table] = added


def _rows(db: sqlite3.Connection, table: str, columns: tuple[str, ...],
          result: Repaired) -> list[tuple[object, ...]]:
    """Every row of ``table`` that can be read, in rowid order, stepping over bad pages."""
    out: list[tuple[object, ...]] = []
    after, skip, skips = -(1 << 63), 0, 0
    query = (f"SELECT rowid, {', '.join(columns)} FROM {table} WHERE rowid > ? "
             "ORDER BY rowid")
    while skips <= MAX_SKIPS and after + skip < (1 << 63) - 1:  # past it: SQLite's overflow
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
