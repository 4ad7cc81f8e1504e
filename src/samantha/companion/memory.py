"""Her long-term memory: one SQLite file in her state directory, and nowhere else.

WAL journal with ``synchronous=FULL``: a transaction is on disk before a write returns, so a
kill -9 loses nothing already confirmed. The directory is 0700 and the files 0600. The schema is
versioned with ``PRAGMA user_version``; ``MIGRATIONS`` upgrade it one step at a time. Facts are
found again with FTS5 (bm25 ranking): milliseconds, no model on the latency path.

A write that fails because the disk is full never stops her talking: it is logged (rate-limited)
and skipped. Forgetting is real: ``secure_delete`` overwrites deleted rows and the WAL is
checkpointed and truncated, so the words are gone from the files, not only hidden.
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

from samantha.errors import SamanthaError

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
]

_STOP = set("""a an the and or but if of to in on at for with about from by is are was were be
been am i me my mine you your yours she her he him his it its we our they them their this that
what who whom which when where why how do does did have has had can could will would should
shall may might must not no yes so just very really please tell know remember called name
s t d ll m re ve don didn doesn""".split())


class MemoryError_(SamanthaError):
    stage = "memory"


def ensure_private_dir(state: Path) -> Path:
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state, 0o700)
    return state


class Memory:
    """The SQLite store. One connection, used from one thread at a time."""

    def __init__(self, state: Path | None) -> None:
        """Open (or create) the store in ``state``; None keeps it in RAM for this process."""
        self.path = ensure_private_dir(Path(state)) / FILE if state is not None else None
        old = os.umask(0o077)
        try:
            self.db = sqlite3.connect(self.path or ":memory:", isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.Error as exc:
            raise MemoryError_("open", f"cannot open her memory at {self.path} ({exc})",
                               "check the state directory's permissions and free space") from None
        finally:
            os.umask(old)
        self._last_warning = -WARN_EVERY_S
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA secure_delete=ON")
            self.db.execute("PRAGMA busy_timeout=2000")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise MemoryError_("corrupt", f"her memory file {self.path} is unreadable ({exc})",
                               f"move {self.path} aside; she will start a fresh memory") from None
        self._chmod_files()

    def _chmod_files(self) -> None:
        if self.path is None:
            return
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                os.chmod(p, 0o600)

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
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None:
        """One confirmed write; on a full disk, a rate-limited warning and None."""
        try:
            with self.tx() as db:
                cur = db.execute(sql, args)
            return cur.lastrowid
        except (sqlite3.OperationalError, OSError) as exc:
            now = time.monotonic()
            if now - self._last_warning >= WARN_EVERY_S:
                self._last_warning = now
                full = "full" in str(exc).lower() or getattr(exc, "errno", 0) == 28
                log.warning("memory not saved: %s", "disk full" if full else exc)
            return None

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, args).fetchall()

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
        try:
            with self.tx() as db:
                db.execute("INSERT INTO summaries(at, text, upto_turn) VALUES (?, ?, ?)",
                           (_now(), text, upto_turn))
                db.execute("UPDATE turns SET summarised = 1 WHERE id <= ?", (upto_turn,))
        except (sqlite3.OperationalError, OSError) as exc:
            log.warning("memory not saved: %s", exc)

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
            rows = self.read("SELECT facts.text FROM facts_fts JOIN facts ON facts.id = "
                             "facts_fts.rowid WHERE facts_fts MATCH ? ORDER BY bm25(facts_fts) "
                             "LIMIT ?", (query, limit))
        except sqlite3.OperationalError as exc:
            log.warning("memory search failed: %s", exc)
            return []
        return [r[0] for r in rows]

    def forget_fact(self, fact_id: int) -> bool:
        removed = self.write("DELETE FROM facts WHERE id = ?", (fact_id,))
        self.scrub()
        return removed is not None

    def forget_last_fact(self) -> str | None:
        rows = self.read("SELECT id, text FROM facts ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        self.forget_fact(int(rows[0][0]))
        return str(rows[0][1])

    def forget_everything(self) -> None:
        """Every turn, fact, summary, note and reminder, gone from the files themselves."""
        with self.tx() as db:
            for table in ("turns", "facts", "summaries", "notes", "reminders", "state"):
                db.execute(f"DELETE FROM {table}")
            db.execute("INSERT INTO facts_fts(facts_fts) VALUES ('rebuild')")
        self.scrub(vacuum=True)

    def scrub(self, vacuum: bool = False) -> None:
        try:
            if vacuum:
                self.db.execute("VACUUM")
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError as exc:
            log.warning("memory could not be compacted: %s", exc)

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
        with self.tx() as db:
            db.executemany("INSERT INTO turns(at, user, reply) VALUES (?, ?, ?)",
                           [(_now(), u, r) for u, r in turns])
        old.unlink()
        return len(turns)

    def close(self) -> None:
        try:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass
        self.db.close()


class Deferred:
    """Reads go to ``memory`` now; writes wait in ``pending`` until ``apply()``.

    A turn may be started speculatively and dropped (the person went on speaking): what it
    would have written must only happen once its reply is really spoken.
    """

    def __init__(self, memory: Memory) -> None:
        self.memory = memory
        self.pending: list[tuple[str, tuple[Any, ...]]] = []

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self.memory.read(sql, args)

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None:
        self.pending.append((sql, args))
        return 0

    def apply(self) -> None:
        for sql, args in self.pending:
            self.memory.write(sql, args)
        self.pending.clear()


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
