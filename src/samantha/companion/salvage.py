"""Every row that can still be read from a damaged memory file, read page by page.

SQLite finds rows by walking each table's b-tree from its root page; when the file is torn (cut
short by a power loss, half its pages gone) the walk stops at the first missing page and
``SELECT`` reads nothing, although most of the rows are still in the file. This reads the file
as the format describes it (https://www.sqlite.org/fileformat2.html), as the sqlite3 shell's
``.recover`` does: every table leaf page (type 13) that is left, the committed pages of the WAL
laid over them, each cell's record decoded on its own (a cell whose overflow pages are gone is
counted as lost, the rest of the page is kept). A leaf is given to its table by walking the
b-trees from ``sqlite_master`` as far as the pages go, and a leaf cut off from its table by the
tear by the shape of its rows (``tables()``: read from ``MIGRATIONS``, so a new column or table
is known here without a change). Deleted rows are not brought back: her memory runs with
``secure_delete``, so freed cells and pages are zeros.
"""

from __future__ import annotations

import ast
import sqlite3
import struct
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from samantha.companion.memory import MIGRATIONS

Row = tuple[object, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    """Its columns now, in order (the key first: the rowid alias, or a table's own key)."""
    defaults: tuple[object, ...]
    """What a column added later reads as in a row written before it existed."""
    shape: str
    """Its record now, column by column: N the rowid alias (stored as NULL), T text, I integer,
    ? anything else."""
    older: frozenset[str]
    """Its record at each earlier schema version (a row is never rewritten by ALTER TABLE)."""


@cache
def tables() -> dict[str, Table]:
    """Every table worth recovering (not a full-text index or its shadow tables), from the
    schema ``MIGRATIONS`` build, version by version."""
    db = sqlite3.connect(":memory:")
    shapes: dict[str, list[str]] = {}
    info: dict[str, list[tuple[object, ...]]] = {}
    try:
        for script in MIGRATIONS:
            db.executescript(script)
            rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
            virtual = [n for n, sql in rows if str(sql).upper().startswith("CREATE VIRTUAL")]
            for name, _ in rows:
                if not any(name == v or name.startswith(f"{v}_") for v in virtual):
                    info[name] = db.execute(f"PRAGMA table_info({name})").fetchall()
                    shapes.setdefault(name, []).append(_declared(info[name]))
    finally:
        db.close()
    return {name: Table(tuple(str(c[1]) for c in cols), tuple(_default(c[4]) for c in cols),
                        shapes[name][-1], frozenset(shapes[name][:-1]))
            for name, cols in info.items()}


def _declared(columns: list[tuple[object, ...]]) -> str:
    alias = [c for c in columns if c[5]]
    return "".join("N" if c[5] and len(alias) == 1 and str(c[2]).upper() == "INTEGER" else
                   "I" if "INT" in str(c[2]).upper() else "T" if "TEXT" in str(c[2]).upper()
                   else "?" for c in columns)


def _default(literal: object) -> object:
    try:
        return ast.literal_eval(str(literal)) if literal is not None else None
    except (ValueError, SyntaxError):
        return None


@dataclass
class Salvaged:
    rows: dict[str, dict[object, Row]] = field(default_factory=dict)
    """Per table, rows by key (the rowid, or the first column of a table without one)."""
    lost: int = 0
    """Cells that could not be decoded (their overflow pages are gone)."""
    missing_pages: int = 0
    """Pages the file's header counts that are not in it (cut off by the tear)."""


def salvage(path: Path) -> Salvaged:
    """The rows of ``path`` (and its ``-wal``) that can be read, table by table."""
    data = path.read_bytes()
    out = Salvaged()
    if len(data) < 100 or not data.startswith(b"SQLite format 3\0"):
        return out
    size = struct.unpack(">H", data[16:18])[0]
    size = 65536 if size == 1 else size
    if size < 512 or size & (size - 1):
        return out
    usable = size - data[20]
    pages = {n + 1: data[n * size:(n + 1) * size] for n in range(len(data) // size)}
    pages.update(_wal(Path(str(path) + "-wal"), size))
    counted = struct.unpack(">I", pages.get(1, data)[28:32])[0]
    out.missing_pages = max(0, counted - max(pages, default=0))
    owner = _owners(pages, usable)
    for number, page in sorted(pages.items()):
        head = 100 if number == 1 else 0
        if number == 1 or page[head] != 13:
            continue
        cells = _cells(pages, page, head, usable, out)
        table = owner.get(number) or _shape_of(cells)
        if table in tables():
            for rowid, values in cells:
                row = _fit(table, rowid, values)
                if row is not None:
                    out.rows.setdefault(table, {})[row[0]] = row
    return out


def _wal(wal: Path, size: int) -> dict[int, bytes]:
    """Pages of the WAL's committed frames (the last one of each page wins)."""
    try:
        data = wal.read_bytes()
    except OSError:
        return {}
    if len(data) < 32 or struct.unpack(">I", data[8:12])[0] != size:
        return {}
    salts, frame = data[16:24], 24 + size
    done: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    for at in range(32, len(data) - frame + 1, frame):
        if data[at + 8:at + 16] != salts:
            break
        number, commit = struct.unpack(">II", data[at:at + 8])
        pending[number] = data[at + 24:at + frame]
        if commit:
            done.update(pending)
            pending = {}
    return done


def _owners(pages: dict[int, bytes], usable: int) -> dict[int, str]:
    """Leaf page -> table, walking each b-tree from its root as far as its pages are there."""
    owner: dict[int, str] = {}
    scratch = Salvaged()
    for leaf in _leaves(pages, 1):
        for _, values in _cells(pages, pages[leaf], 100 if leaf == 1 else 0, usable, scratch):
            if len(values) == 5 and values[0] == "table" and isinstance(values[3], int):
                owner.update(dict.fromkeys(_leaves(pages, values[3]), str(values[1])))
    return owner


def _leaves(pages: dict[int, bytes], root: int) -> list[int]:
    """The table leaf pages under ``root`` that are in the file."""
    found: list[int] = []
    stack, seen = [root], set()
    while stack:
        number = stack.pop()
        page = pages.get(number)
        if page is None or number in seen:
            continue
        seen.add(number)
        head = 100 if number == 1 else 0
        if page[head] == 13:
            found.append(number)
        elif page[head] == 5:
            count = struct.unpack(">H", page[head + 3:head + 5])[0]
            stack.append(struct.unpack(">I", page[head + 8:head + 12])[0])
            for i in range(count):
                at = struct.unpack(">H", page[head + 12 + 2 * i:head + 14 + 2 * i])[0]
                stack.append(struct.unpack(">I", page[at:at + 4])[0])
    return found


def _varint(buf: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(8):
        byte = buf[at + i]
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    return (value << 8) | buf[at + 8], at + 9


def _cells(pages: dict[int, bytes], page: bytes, head: int, usable: int,
           out: Salvaged) -> list[tuple[int, list[object]]]:
    """(rowid, values) of each cell of a table leaf page that decodes."""
    found: list[tuple[int, list[object]]] = []
    try:
        count = struct.unpack(">H", page[head + 3:head + 5])[0]
    except struct.error:
        return found
    if head + 8 + 2 * count > len(page):
        return found
    for i in range(count):
        try:
            at = struct.unpack(">H", page[head + 8 + 2 * i:head + 10 + 2 * i])[0]
            length, at = _varint(page, at)
            rowid, at = _varint(page, at)
            found.append((rowid, _record(_payload(pages, page, at, length, usable))))
        except (IndexError, ValueError, struct.error, UnicodeDecodeError):
            out.lost += 1
    return found


def _payload(pages: dict[int, bytes], page: bytes, at: int, length: int, usable: int) -> bytes:
    """A cell's payload, following its overflow pages (ValueError when one is gone)."""
    most = usable - 35
    if length <= most:
        return page[at:at + length]
    least = (usable - 12) * 32 // 255 - 23
    local = least + (length - least) % (usable - 4)
    local = local if local <= most else least
    parts = [page[at:at + local]]
    nxt, got, seen = struct.unpack(">I", page[at + local:at + local + 4])[0], local, set()
    while got < length:
        overflow = pages.get(nxt)
        if overflow is None or nxt in seen:
            raise ValueError(f"overflow page {nxt} is gone")
        seen.add(nxt)
        chunk = overflow[4:usable][:length - got]
        parts.append(chunk)
        got += len(chunk)
        nxt = struct.unpack(">I", overflow[:4])[0]
    return b"".join(parts)


def _record(payload: bytes) -> list[object]:
    size, at = _varint(payload, 0)
    types: list[int] = []
    while at < size:
        kind, at = _varint(payload, at)
        types.append(kind)
    body, values = size, list[object]()
    for kind in types:
        if kind == 0:
            values.append(None)
        elif kind in (8, 9):
            values.append(kind - 8)
        elif 1 <= kind <= 6:
            width = (1, 2, 3, 4, 6, 8)[kind - 1]
            values.append(int.from_bytes(payload[body:body + width], "big", signed=True))
            body += width
        elif kind == 7:
            values.append(struct.unpack(">d", payload[body:body + 8])[0])
            body += 8
        elif kind >= 12:
            width = (kind - 12) // 2
            raw = payload[body:body + width]
            values.append(raw.decode("utf-8") if kind % 2 else raw)
            body += width
        else:
            raise ValueError(f"serial type {kind}")
        if body > len(payload):
            raise ValueError("the record runs past its payload")
    return values


def _shape(values: list[object]) -> str:
    return "".join("N" if v is None else "T" if isinstance(v, str) else
                   "I" if isinstance(v, int) else "?" for v in values)


def _shape_of(cells: list[tuple[int, list[object]]]) -> str | None:
    """The table a leaf cut off from its b-tree belongs to, by the shape of its rows (a row
    that fits a table as it is now counts twice one that fits an older version of it)."""
    votes: dict[str, int] = {}
    for _, values in cells:
        shape = _shape(values)
        for name, table in tables().items():
            if _fits(shape, table.shape):
                votes[name] = votes.get(name, 0) + 2
            elif any(_fits(shape, old) for old in table.older):
                votes[name] = votes.get(name, 0) + 1
    return max(votes, key=lambda t: votes[t]) if votes else None


def _fits(shape: str, want: str) -> bool:
    return len(shape) == len(want) and all(w in (s, "?") for s, w in zip(shape, want, strict=True))


def _fit(name: str, rowid: int, values: list[object]) -> Row | None:
    """A record as a row of ``name`` (its key first), or None when it does not fit; a row from
    before a column was added gets that column's default."""
    table = tables()[name]
    if not 0 < len(values) <= len(table.columns):
        return None
    values = [*values, *table.defaults[len(values):]]
    if table.shape[0] == "N":
        values = [rowid, *values[1:]]
    return tuple(values)
