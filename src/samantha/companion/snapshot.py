"""Rotating snapshots of her memory, taken with SQLite's online backup API, in her state directory.

A snapshot is a whole, checked copy of ``memory.sqlite3`` named ``memory.sqlite3.snapshot-<n>``
(0600, beside it): at most ``KEEP`` of them, so her memory takes at most ``KEEP + 2`` times its
size on disk (the file, the snapshots, one being taken). One is taken in a background thread,
never on a turn's path: after a clean open, then every ``EVERY_WRITES`` saved writes, or at the
first write a day after the last snapshot. The copy is read through its own connection (WAL:
her writes go on), checked with ``quick_check``, synced, and only then renamed into place; the
oldest beyond ``KEEP`` go.

Forgetting reaches the snapshots: a write that deletes rows (``forget``) removes every snapshot
(and a damaged file ``memory repair`` kept) at once, before it returns, and a fresh one is taken
without what was forgotten. ``samantha memory repair`` merges the newest good snapshot into what
it salvages from a damaged file.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from samantha.companion.storage import MemoryError_, classify, corrupt_error

log = logging.getLogger(__name__)
KEEP = 3
"""Snapshots kept; the oldest beyond this are removed once a new one is in place."""
EVERY_WRITES = 100
"""Saved writes (a turn is one) after which a new snapshot is taken."""
EVERY_S = 24 * 3600.0
"""Or at the first write a day after the last one (monotonic time: a clock jump changes
nothing; a memory nobody writes to needs no new copy)."""
JOIN_S = 3.0
"""How long closing her memory waits for a snapshot being taken (it is finished next time)."""
_NAME = re.compile(r"\.snapshot-(\d{6,})$")


def snapshots(path: Path) -> list[Path]:
    """The snapshots of the memory file ``path``, oldest first."""
    try:
        found = [p for p in path.parent.iterdir()
                 if p.name.startswith(path.name) and _NAME.search(p.name)]
    except OSError:
        return []
    return sorted(found, key=_number)


def _number(snapshot: Path) -> int:
    found = _NAME.search(snapshot.name)
    return int(found.group(1)) if found else 0


def check(snapshot: Path) -> MemoryError_ | None:
    """None when ``snapshot`` (or her memory file) is whole and readable; else what is wrong,
    told apart (``corrupt``, or a directory she cannot read). Nothing is written: without a WAL
    beside it the file is opened ``immutable`` (no lock or journal files are made)."""
    wal = Path(f"{snapshot}-wal").exists()
    try:
        db = sqlite3.connect(snapshot.as_uri() + ("?mode=ro" if wal else "?immutable=1"),
                             uri=True)
        try:
            rows = [str(r[0]) for r in db.execute("PRAGMA quick_check(5)")]
            db.execute("SELECT count(*) FROM facts").fetchone()
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        return classify(exc, snapshot)
    return None if rows == ["ok"] else corrupt_error(snapshot, "; ".join(rows))


def newest_good(path: Path) -> Path | None:
    """The newest snapshot of ``path`` that passes ``check``."""
    for snapshot in reversed(snapshots(path)):
        problem = check(snapshot)
        if problem is None:
            return snapshot
        log.warning("snapshot %s is not usable (%s); trying an older one", snapshot, problem)
    return None


def emptied(path: Path) -> None:
    """A memory file cut to nothing while snapshots of it exist is damaged, not new: SQLite
    would open it as an empty memory, and she would start again as if she knew no one."""
    try:
        empty = path.stat().st_size == 0
    except OSError:
        return
    found = snapshots(path) if empty else []
    if found:
        raise corrupt_error(path, f"it is empty (0 bytes), and {len(found)} snapshot(s) of it "
                            f"are beside it, the newest {found[-1].name}")


def take(path: Path, keep: int = KEEP) -> Path | None:
    """A checked snapshot of ``path`` put in place, older ones beyond ``keep`` removed; None
    (logged) when there is no room for it or the copy failed. Safe beside her own connection."""
    return Snapshots(path, keep=keep).take_now()


class Snapshots:
    """When to take the next snapshot of one memory file, and taking it off the caller's thread."""

    def __init__(self, path: Path, keep: int = KEEP, every_writes: int = EVERY_WRITES,
                 every_s: float = EVERY_S, taking: bool = True, start: bool = False) -> None:
        self.path, self.keep, self.taking = path, keep, taking
        """``taking`` False: none are taken (``memory list``, repair), but a forget still
        removes them all. ``start``: one now (after a clean open)."""
        self.every_writes, self.every_s = every_writes, every_s
        self.writes = 0
        self.last = time.monotonic()
        self._lock = threading.Lock()
        self._generation = 0  # bumped by forget: a snapshot begun before it is thrown away
        self._thread: threading.Thread | None = None
        self._again = False
        self._running = False
        """A snapshot thread is taking one, or will look at ``_again`` before it ends."""
        if start:
            self.start()

    def wrote(self, deleted: bool) -> None:
        """A write was saved; ``deleted``: it removed rows, so no snapshot may keep them."""
        self.writes += 1
        if deleted:
            self.forget()  # the fresh one comes from ``Memory.scrub`` or the next writes
        elif (self.writes >= self.every_writes
              or time.monotonic() - self.last >= self.every_s):
            self.start()

    def forget(self) -> None:
        """Every snapshot removed now (they hold what was just forgotten), and one being taken
        thrown away; the next is taken once the forget is scrubbed (``Memory.scrub``). A
        damaged file kept by ``memory repair`` holds it too: it goes as well (said in the log)."""
        damaged = sorted(self.path.parent.glob(f"{self.path.name}.damaged-*"))
        self.writes = max(self.writes, self.every_writes - 1)  # else: at the very next write
        with self._lock:
            self._generation += 1
            self._again = False
            for old in [*snapshots(self.path), *damaged]:
                try:
                    old.unlink()
                except OSError as exc:
                    log.warning("could not remove %s after a forget: %s", old, exc)
        for old in damaged:
            log.warning("removed %s, the damaged file kept by `memory repair`: it held what "
                        "was just forgotten", old.name)

    def start(self) -> None:
        """A snapshot in a background thread (one at a time; one more after it if asked)."""
        self.writes, self.last = 0, time.monotonic()
        if not self.taking:
            return
        with self._lock:
            if self._running:  # decided under the lock: a thread about to end is not running
                self._again = True
                return
            self._running = True
            self._thread = threading.Thread(target=self._run, name="samantha-snapshot",
                                            daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = JOIN_S) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        while True:
            try:
                self.take_now()
            except BaseException:
                with self._lock:
                    self._running = False
                raise
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def take_now(self) -> Path | None:
        with self._lock:
            generation = self._generation
        temp = self.path.with_name(f".{self.path.name}.snapshot-taking-{os.getpid()}-{id(self)}")
        try:
            _clear_stale(self.path)
            size = self.path.stat().st_size + _wal_size(self.path)
            free = shutil.disk_usage(self.path.parent).free
            if free < 2 * size + 1024 * 1024:
                log.warning("no snapshot of her memory: %d bytes free beside it, %d needed",
                            free, 2 * size + 1024 * 1024)
                return None
            _copy(self.path, temp)
            with self._lock:
                if generation != self._generation:  # something was forgotten meanwhile
                    temp.unlink(missing_ok=True)
                    return None
                existing = snapshots(self.path)
                number = _number(existing[-1]) + 1 if existing else 1
                final = self.path.with_name(f"{self.path.name}.snapshot-{number:06d}")
                os.replace(temp, final)
            _sync_dir(self.path.parent)  # outside the lock: a turn's write never waits on it
            for old in existing[:max(0, len(existing) + 1 - self.keep)]:
                old.unlink(missing_ok=True)
        except (sqlite3.Error, OSError) as exc:
            log.warning("no snapshot of her memory: %s", exc)
            temp.unlink(missing_ok=True)
            return None
        log.info("her memory was snapshotted to %s", final)
        return final


def _wal_size(path: Path) -> int:
    try:
        return Path(str(path) + "-wal").stat().st_size
    except OSError:
        return 0


def _copy(path: Path, temp: Path) -> None:
    """The online backup of ``path`` into ``temp`` (0600), checked and on disk."""
    temp.unlink(missing_ok=True)
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    source = sqlite3.connect(path, isolation_level=None)
    try:
        source.execute("PRAGMA busy_timeout=2000")
        source.execute("PRAGMA query_only=1")
        target = sqlite3.connect(temp, isolation_level=None)
        try:
            target.execute("PRAGMA journal_mode=OFF")
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            problems = [str(r[0]) for r in target.execute("PRAGMA quick_check(5)")]
        finally:
            target.close()
    finally:
        source.close()
    if problems != ["ok"]:
        raise sqlite3.DatabaseError(f"the copy did not check out: {'; '.join(problems)}")
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _clear_stale(path: Path) -> None:
    """Copies left half-taken by a process that died while taking them."""
    for temp in path.parent.glob(f".{path.name}.snapshot-taking-*"):
        pid = temp.name.split("-")[-2]  # .memory.sqlite3.snapshot-taking-<pid>-<id>
        if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
            temp.unlink(missing_ok=True)


def _sync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
