"""The secretary's tables as every pack writes them: reminders (with the language they were set
in, so each is announced in it) and notes. ``companion.reminders`` announces them."""

from __future__ import annotations

from datetime import datetime

from samantha.lang.protocols import Store


def add(store: Store, when: datetime, kind: str, text: str, lang: str = "") -> int | None:
    """A reminder, alarm or timer due at ``when``, set in language ``lang``."""
    return store.write("INSERT INTO reminders(due, kind, text, lang) VALUES (?, ?, ?, ?)",
                       (when.isoformat(timespec="seconds"), kind, text, lang))


def pending(store: Store) -> list[tuple[int, datetime, str, str]]:
    """(id, due, kind, text) of every reminder not yet said, soonest first."""
    rows = store.read("SELECT id, due, kind, text FROM reminders WHERE fired = 0 ORDER BY due")
    return [(int(i), datetime.fromisoformat(d), k, t) for i, d, k, t in rows]


def cancel(store: Store, rid: int) -> None:
    store.write("UPDATE reminders SET fired = 1 WHERE id = ?", (rid,))


def note(store: Store, now: datetime, listname: str, text: str) -> None:
    store.write("INSERT INTO notes(at, list, text) VALUES (?, ?, ?)",
                (now.isoformat(timespec="seconds"), listname, text))


def items(store: Store, listname: str) -> list[str]:
    return [r[0] for r in store.read("SELECT text FROM notes WHERE list = ? ORDER BY id",
                                     (listname,))]
