"""Her long-term memory: one SQLite file in her state directory, and nowhere else.

WAL journal with ``synchronous=FULL``: a transaction is on disk before a write returns, so a
kill -9 loses nothing already confirmed. The directory is 0700 and the files 0600. The schema is
versioned with ``PRAGMA user_version``; ``MIGRATIONS`` upgrade it one step at a time. Facts are
found again with FTS5 (bm25 ranking): milliseconds, no model on the latency path.

Memory degrades, it never blocks her: a write that fails (a full disk, a read-only or foreign
directory, a damaged file) is logged once (rate-limited), recorded in ``fault`` with its own code
and fix (``companion.storage``), and skipped; the file is left as it is. ``Memory.degraded``
stands in when the file cannot be opened for writing at all. Rotating snapshots beside the file
(``companion.snapshot``) are what ``memory repair`` restores from. Forgetting is real:
``secure_delete`` overwrites deleted rows, the search index is merged, the WAL is checkpointed
and truncated and the snapshots replaced, so the words are gone from the files, not only hidden.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from samantha.companion.snapshot import Snapshots, emptied
from samantha.companion.storage import (
    MemoryError_,
    classify,
    corrupt_error,
    disk_full,
    ensure_private_dir,
    full_error,
    integrity,
    private_file,
)

log = logging.getLogger(__name__)
FILE = "memory.sqlite3"
WARN_EVERY_S = 60.0

MIGRATIONS = [
    # 1: conversation, facts and their full-text index, summaries, key/value state
    """
    CREATE TABLE turns (id INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL,
                        reply TEXT NOT NULL, summarised INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE facts (id INTEGER PRIMARY KEY, at TEXT NOT NULL, text TEXT NOT NULL UNIQUE);
    CREATE VIRTUAL TABLE facts_fts USING fts5(text, content='facts', content_rowid='id');
    CREATE TRIGGER facts_ai AFTER INSERT ON facts BEGIN
        INSERT INTO facts_fts(rowid, text) VALUES (new.id, new.text); END;
    CREATE TRIGGER facts_ad AFTER DELETE ON facts BEGIN
        INSERT INTO facts_fts(facts_fts, rowid, text) VALUES ('delete', old.id, old.text); END;
    CREATE TABLE summaries (id INTEGER PRIMARY KEY, at TEXT NOT NULL, text TEXT NOT NULL,
                            upto_turn INTEGER NOT NULL);
    CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the secretary: reminders, alarms and timers; notes and lists
    """
    CREATE TABLE reminders (id INTEGER PRIMARY KEY, due TEXT NOT NULL, kind TEXT NOT NULL,
                            text TEXT NOT NULL, fired INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX reminders_due ON reminders(fired, due);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, at TEXT NOT NULL, list TEXT NOT NULL,
                        text TEXT NOT NULL);
    """,
    # 3: each reminder keeps the language it was set in ('' before: told by its text)
    "ALTER TABLE reminders ADD COLUMN lang TEXT NOT NULL DEFAULT '';",
]

_STOP = set("""a an the and or but if of to in on at for with about from by is are was were be
been am i me my mine you your yours she her he him his it its we our they them their this that
what who whom which when where why how do does did have has had can could will would should
shall may might must not no yes so just very really please tell know remember called name
s t d ll m re ve don didn doesn""".split())


__all__ = ["FILE", "MIGRATIONS", "Memory", "MemoryError_", "ensure_private_dir"]


class Memory:
    """The SQLite store. One connection, used from one thread at a time."""

    def __init__(self, state: Path | None, snapshots: bool = True) -> None:
        """Open (or create) the store in ``state``; None keeps it in RAM for this process.

        A file that cannot be opened for writing, or that is damaged, raises ``MemoryError_``
        with its own code and fix; the file is never changed or moved here. ``snapshots``: a
        snapshot after a clean open and then on their cadence (``companion.snapshot``)."""
        self.path = ensure_private_dir(Path(state)) / FILE if state is not None else None
        self.fault: MemoryError_ | None = None
        """Why her last write failed (None: saving works); cleared by the next good write."""
        self.told = False
        """Whether she has said aloud that she is not saving (once per fault)."""
        self.frozen = False
        """No write is tried at all (a damaged file, or a stand-in: ``degraded``)."""
        self._last_warning = -WARN_EVERY_S
        self._fired_here: set[int] = set()
        old = os.umask(0o077)
        try:
            if self.path is not None:
                private_file(self.path)
                emptied(self.path)
            self.db = sqlite3.connect(self.path or ":memory:", isolation_level=None,
                                      check_same_thread=False)
            self.db.execute("PRAGMA busy_timeout=2000")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA secure_delete=ON")
            problems = integrity(self.db, self.path)
            if problems:
                raise corrupt_error(self.path, "; ".join(problems[:3]))
            self._migrate()
            for suffix in ("-wal", "-shm"):
                if self.path is not None:
                    private_file(Path(str(self.path) + suffix))
        except (sqlite3.Error, OSError, MemoryError_) as exc:
            if hasattr(self, "db"):
                self.db.close()
            raise classify(exc, self.path) from None
        finally:
            os.umask(old)
        if self.path is not None and disk_full(self.path.parent):
            self._fail(full_error(self.path, "less than 256 KiB free"))
        self.snapshots = None if self.path is None else Snapshots(  # forgets reach them always
            self.path, taking=snapshots and self.fault is None, start=True)

    @classmethod
    def degraded(cls, state: Path, err: MemoryError_) -> Memory:
        """A stand-in when her file cannot be opened for writing: nothing is written, ever.

        Reads come from the file itself, opened immutable (it is not touched), when it is
        intact and its journal is empty; else from an empty store in RAM."""
        mem = cls(None)
        path = Path(state) / FILE
        wal = Path(str(path) + "-wal")
        if err.code != "corrupt" and path.is_file() and not (wal.exists() and
                                                               wal.stat().st_size):
            try:
                view = sqlite3.connect(path.as_uri() + "?immutable=1&mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
                view.execute("SELECT count(*) FROM turns").fetchone()
                mem.db.close()
                mem.db = view
            except (sqlite3.Error, OSError) as exc:
                log.info("her memory cannot be read either (%s); starting empty", exc)
        mem.path, mem.fault, mem.frozen = path, err, True
        return mem

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.tx():
                for statement in script.split(";\n"):
                    if statement.strip():
                        self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version={number}")
            log.info("memory schema migrated to version %s", number)

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a failed COMMIT (a full disk) is rolled back, never left open."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                try:
                    self.db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            raise

    def _fail(self, exc: BaseException) -> MemoryError_:
        """Record why saving failed; one log line per fault (and at most one a minute)."""
        err = classify(exc, self.path)
        if err.code == "corrupt":
            self.frozen = True  # the file is kept exactly as it is for `memory repair`
        now = time.monotonic()
        if (self.fault is None or self.fault.code != err.code
                or now - self._last_warning >= WARN_EVERY_S):
            self._last_warning = now
            log.warning("memory not saved: %s", err)
        if self.fault is None or self.fault.code != err.code:
            self.told = False
        self.fault = err
        return err

    def _saved(self, *sql: str) -> None:
        if self.fault is not None and not self.frozen:
            log.info("memory saving again")
            self.fault, self.told = None, False
        if self.snapshots is not None:  # a delete: no snapshot may keep what was removed
            self.snapshots.wrote(any(s.lstrip()[:6].upper() == "DELETE" for s in sql))

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None:
        """One confirmed write; when it fails, ``fault`` says why and None is returned."""
        if self.frozen:
            return None
        try:
            with self.tx() as db:
                cur = db.execute(sql, args)
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)
            return None
        self._saved(sql)
        return cur.lastrowid

    def write_all(self, statements: list[tuple[str, tuple[Any, ...]]]) -> bool:
        """Several writes in one transaction: all saved (True) or none (False, see ``fault``)."""
        if self.frozen:
            return not statements
        try:
            with self.tx() as db:
                for sql, args in statements:
                    db.execute(sql, args)
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)
            return False
        self._saved(*(sql for sql, _ in statements))
        return True

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows, or [] when the file cannot be read (``fault`` says why)."""
        try:
            return self.db.execute(sql, args).fetchall()
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)
            return []

    # the conversation
    def add_turn(self, user: str, reply: str) -> None:
        self.write("INSERT INTO turns(at, user, reply) VALUES (?, ?, ?)",
                   (_now(), user, reply))

    def recent_turns(self, n: int) -> list[tuple[str, str]]:
        rows = self.read("SELECT user, reply FROM turns ORDER BY id DESC LIMIT ?", (n,))
        return [(u, r) for u, r in reversed(rows)]

    def unsummarised(self, keep: int) -> list[tuple[int, str, str]]:
        """Turns older than the last ``keep`` that no summary covers yet."""
        return [(int(i), u, r) for i, u, r in self.read(
            "SELECT id, user, reply FROM turns WHERE summarised = 0 AND id NOT IN "
            "(SELECT id FROM turns ORDER BY id DESC LIMIT ?) ORDER BY id", (keep,))]

    def add_summary(self, text: str, upto_turn: int) -> None:
        if self.frozen:
            return
        try:
            with self.tx() as db:
                db.execute("INSERT INTO summaries(at, text, upto_turn) VALUES (?, ?, ?)",
                           (_now(), text, upto_turn))
                db.execute("UPDATE turns SET summarised = 1 WHERE id <= ?", (upto_turn,))
        except (sqlite3.Error, OSError) as exc:
            self._fail(exc)

    def summaries(self, n: int = 2) -> list[str]:
        rows = self.read("SELECT text FROM summaries ORDER BY id DESC LIMIT ?", (n,))
        return [r[0] for r in reversed(rows)]

    # facts about her person
    def add_fact(self, text: str) -> int | None:
        text = " ".join(text.split())
        if not text:
            return None
        return self.write("INSERT OR IGNORE INTO facts(at, text) VALUES (?, ?)", (_now(), text))

    def facts(self) -> list[tuple[int, str, str]]:
        rows = self.read("SELECT id, at, text FROM facts ORDER BY id")
        return [(int(i), a, t) for i, a, t in rows]

    def recall(self, text: str, limit: int = 3) -> list[str]:
        """Facts that share words with ``text``, best first (FTS5, bm25)."""
        terms = [w for w in re.findall(r"\w+", text.lower()) if w not in _STOP and len(w) > 1]
        if not terms:
            return []
        query = " OR ".join(f'"{t}"*' if len(t) > 3 else f'"{t}"' for t in dict.fromkeys(terms))
        try:
            rows = self.db.execute("SELECT facts.text FROM facts_fts JOIN facts ON facts.id = "
                                   "facts_fts.rowid WHERE facts_fts MATCH ? ORDER BY "
                                   "bm25(facts_fts) LIMIT ?", (query, limit)).fetchall()
        except (sqlite3.Error, OSError) as exc:
            if classify(exc, self.path).code == "corrupt":
                self._fail(exc)
            else:
                log.warning("memory search failed: %s", exc)
            return []
        return [r[0] for r in rows]

    def forget_fact(self, fact_id: int) -> bool:
        removed = self.write("DELETE FROM facts WHERE id = ?", (fact_id,))
        if removed is None:
            return False
        self.scrub()
        return True

    def forget_last_fact(self) -> bool:
        """The newest fact, forgotten; False when that could not be saved."""
        rows = self.read("SELECT id FROM facts ORDER BY id DESC LIMIT 1")
        return not rows or self.forget_fact(int(rows[0][0]))

    def forget_everything(self) -> bool:
        """Every turn, fact, summary, note and reminder, gone from the files themselves;
        False (and nothing forgotten) when that could not be saved."""
        done = self.write_all([(f"DELETE FROM {table}", ()) for table in
                               ("turns", "facts", "summaries", "notes", "reminders", "state")]
                              + [("INSERT INTO facts_fts(facts_fts) VALUES ('rebuild')", ())])
        if done:
            self.scrub(vacuum=True)
        return done

    def take_due(self, stamp: str) -> list[tuple[Any, ...]]:
        """Reminders due by ``stamp``, marked fired in the same transaction. When that cannot
        be saved, each is still handed back once in this process."""
        sql = ("SELECT id, due, kind, text, lang FROM reminders WHERE fired = 0 AND due <= ? "
               "ORDER BY due")
        if not self.frozen:
            try:
                with self.tx() as db:
                    rows: list[tuple[Any, ...]] = db.execute(sql, (stamp,)).fetchall()
                    db.executemany("UPDATE reminders SET fired = 1 WHERE id = ?",
                                   [(r[0],) for r in rows])
                return rows
            except (sqlite3.Error, OSError) as exc:
                self._fail(exc)
        rows = [r for r in self.read(sql, (stamp,)) if r[0] not in self._fired_here]
        self._fired_here.update(r[0] for r in rows)
        return rows

    def scrub(self, vacuum: bool = False) -> None:
        """After a forget: the index merged (old segments keep words), WAL emptied, a snapshot."""
        try:
            self.db.execute("INSERT INTO facts_fts(facts_fts) VALUES ('optimize')")
            if vacuum:
                self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (sqlite3.Error, OSError) as exc:
            log.warning("memory could not be compacted: %s", exc)
        if self.snapshots is not None:
            self.snapshots.start()

    # small persistent state (the voice baseline, well-being counters)
    def get_state(self, key: str, default: Any = None) -> Any:
        rows = self.read("SELECT value FROM state WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default

    def set_state(self, key: str, value: Any) -> None:
        self.write("INSERT INTO state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                   "SET value = excluded.value", (key, json.dumps(value)))

    def export(self) -> dict[str, Any]:
        return {
            "facts": [{"id": i, "at": a, "text": t} for i, a, t in self.facts()],
            "turns": [{"at": a, "user": u, "reply": r} for a, u, r in
                      self.read("SELECT at, user, reply FROM turns ORDER BY id")],
            "summaries": self.summaries(1000),
            "notes": [{"list": n, "text": t} for n, t in
                      self.read("SELECT list, text FROM notes ORDER BY id")],
            "reminders": [{"due": d, "kind": k, "text": t, "fired": bool(f)} for d, k, t, f in
                          self.read("SELECT due, kind, text, fired FROM reminders ORDER BY due")],
        }

    def migrate_history_json(self, state: Path) -> int:
        """Bring the turns of the old ``history.json`` in once, then remove the file."""
        old = Path(state) / "history.json"
        if not old.is_file():
            return 0
        try:
            turns = [(str(u), str(r)) for u, r in json.loads(old.read_text("utf-8"))["turns"]]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("old history.json unreadable (%s); left as it is", exc)
            return 0
        if not self.write_all([("INSERT INTO turns(at, user, reply) VALUES (?, ?, ?)",
                                 (_now(), u, r)) for u, r in turns]):
            return 0  # kept, to be brought in at a later start
        old.unlink()
        return len(turns)

    def close(self) -> None:
        if self.snapshots is not None:
            self.snapshots.wait()
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass
        self.db.close()


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
