"""What can go wrong with her memory's files, told apart, each with its own code and fix.

SQLite's result codes separate a damaged file (``SQLITE_CORRUPT``, ``SQLITE_NOTADB``) from the
disk or the directory refusing (``SQLITE_FULL``, ``SQLITE_IOERR``, ``SQLITE_READONLY``,
``SQLITE_CANTOPEN``, ``SQLITE_PERM``). Only a damaged file calls for ``samantha memory repair``;
every other fault leaves the file as it is and says what to change outside it. Each fault also
has a short line she can say aloud, because memory is optional: she talks on without saving.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
from pathlib import Path

from samantha.errors import SamanthaError

LOW_SPACE = 256 * 1024
"""Free bytes below which the disk counts as full (a turn writes a few 4 KiB WAL frames)."""

_CORRUPT = {11, 26}          # SQLITE_CORRUPT, SQLITE_NOTADB
_FULL = {13}                 # SQLITE_FULL
_READONLY = {8}              # SQLITE_READONLY
_DENIED = {3, 14, 23}        # SQLITE_PERM, SQLITE_CANTOPEN, SQLITE_AUTH
_BUSY = {5, 6}               # SQLITE_BUSY, SQLITE_LOCKED

REASONS = {
    "disk-full": "the disk my memory lives on is full",
    "corrupt": "my memory file is damaged",
    "read-only": "my memory is on a read-only disk",
    "busy": "another program is holding my memory file",
    "io-error": "the disk my memory lives on reported an error",
    "owner-read-only": "my memory is set read-only, so I'm keeping it as it is",
    "not-a-directory": "the place my memory should live is a file, not a folder",
}
"""What she says about each fault, in her own words (others: she cannot write there)."""


class MemoryError_(SamanthaError):
    stage = "memory"


def reason(err: MemoryError_) -> str:
    """The fault as she says it: 'my memory file is damaged'."""
    return REASONS.get(err.code, "I'm not allowed to write to my memory")


def notice(err: MemoryError_) -> str:
    """Said once, in a reply, when she stops saving."""
    return f"Just so you know, I can't save anything right now: {reason(err)}."


def ensure_private_dir(state: Path) -> Path:
    """Her state directory, 0700 and hers; never a shared or someone else's directory.

    A directory its owner made read-only (no ``u+w``, e.g. 0500) is respected, never chmod-ed
    back: ``owner-read-only`` (she reads her memory and saves nothing, and says so)."""
    try:
        state.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = state.stat()
    except OSError as exc:
        raise not_a_dir(state) or from_os(exc, state, state) from None
    if not stat.S_ISDIR(st.st_mode):
        raise not_a_dir(state) or _io_error(state, "not a directory")
    if st.st_mode & (stat.S_ISVTX | stat.S_IWOTH):
        raise MemoryError_(
            "shared-dir", f"{state} is a shared directory (mode {stat.S_IMODE(st.st_mode):o}); "
            "she keeps her memory only in a private one and will not change its mode",
            f"pass --state-dir {state / 'samantha'} (she creates it, 0700)")
    if st.st_uid != os.geteuid():
        raise _not_yours(state, st.st_uid)
    if not st.st_mode & stat.S_IWUSR:
        raise _owner_read_only(state, st.st_mode, "chmod 700")
    if stat.S_IMODE(st.st_mode) != 0o700:
        _chmod(state, 0o700)
    return state


def not_a_dir(state: Path) -> MemoryError_ | None:
    """The state directory, or a folder above it, is a file: named, with the way out."""
    for part in (state, *state.parents):
        try:
            mode = part.stat().st_mode
        except OSError:  # absent, or not ours to look into: another check says which
            continue
        if not stat.S_ISDIR(mode):
            what = (f"her state directory {part}" if part == state else
                    f"{part}, a folder above her state directory {state},")
            return MemoryError_(
                "not-a-directory", f"{what} is a file, not a directory",
                f"move that file away (mv {part} {part}.old) so she can create the directory, "
                "or pass --state-dir (or state_dir in the config) a directory of her own")
    return None


def _owner_read_only(path: Path, mode: int, how: str) -> MemoryError_:
    return MemoryError_(
        "owner-read-only", f"{path} is set read-only by its owner (mode {stat.S_IMODE(mode):o}); "
        "she reads her memory and saves nothing, and leaves the mode as it is",
        f"{how} {path} if she should save again; leave it so to keep her memory as it is")


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EACCES) or read_only_fs(path.parent):
            raise from_os(exc, path, path.parent) from None
        raise MemoryError_("cannot-chmod", f"cannot make {path} private (chmod {mode:o}: "
                           f"{exc.strerror})", "keep her state on a filesystem with Unix "
                           "permissions (not FAT or a network share), in a directory of "
                           "her own") from None


def private_file(path: Path) -> None:
    """A memory file, 0600 (only changed when it is not)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise from_os(exc, path, path.parent) from None
    if st.st_uid != os.geteuid():
        raise _not_yours(path, st.st_uid)
    if not st.st_mode & stat.S_IWUSR:
        raise _owner_read_only(path, st.st_mode, "chmod 600")
    if stat.S_IMODE(st.st_mode) != 0o600:
        _chmod(path, 0o600)


def _owner(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (KeyError, ImportError):
        return str(uid)


def _not_yours(path: Path, uid: int) -> MemoryError_:
    me = _owner(os.geteuid())
    owner = _owner(uid)
    return MemoryError_("not-yours", f"{path} belongs to {owner}, not to {me}, who runs her",
                        f"run her as {owner} (sudo -u {owner} samantha …), or pass --state-dir "
                        f"a directory of {me}'s own")


def disk_full(directory: Path) -> bool:
    try:
        return shutil.disk_usage(directory).free < LOW_SPACE
    except OSError:
        return False


def read_only_fs(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def full_error(path: Path, detail: str) -> MemoryError_:
    return MemoryError_("disk-full", f"no space left on the disk holding {path} ({detail})",
                        f"free some space on that disk (df -h {path.parent}); her memory file "
                        "is intact and she talks on without saving until then")


def _read_only_error(path: Path, detail: str) -> MemoryError_:
    return MemoryError_("read-only", f"{path} is on a read-only filesystem ({detail})",
                        "remount it read-write, or pass --state-dir a writable directory; her "
                        "memory file is kept as it is")


def _denied_error(path: Path, detail: str) -> MemoryError_:
    return MemoryError_("permission", f"no permission to write {path} ({detail})",
                        f"give the user who runs her write access to {path.parent} and the "
                        f"files in it (ls -l {path.parent}); her memory file is kept as it is")


def from_os(exc: OSError, path: Path, directory: Path) -> MemoryError_:
    """An OSError from the directory or a file in it, as one clear memory error."""
    detail = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return full_error(path, detail)
    if exc.errno == errno.EROFS or read_only_fs(directory):
        return _read_only_error(path, detail)
    if exc.errno == errno.EPERM:
        try:
            owner = path.stat().st_uid
            if owner != os.geteuid():
                return _not_yours(path, owner)
        except OSError:
            pass
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _denied_error(path, detail)
    if exc.errno == errno.ENOTDIR:
        return MemoryError_("not-a-directory", f"{path}: a part of the path is not a directory",
                            "pass --state-dir a directory of her own")
    return _io_error(path, detail)


def _io_error(path: Path, detail: str) -> MemoryError_:
    return MemoryError_("io-error", f"the disk holding {path} reported an error ({detail})",
                        "check the disk or SD card (dmesg, fsck); her memory file is kept as it "
                        "is")


def corrupt_error(path: Path | None, detail: str) -> MemoryError_:
    return MemoryError_("corrupt", f"her memory file {path} is damaged ({detail})",
                        "run `samantha memory repair`: it keeps a copy of the damaged file and "
                        "recovers what it can; until then she talks without saving")


def integrity(db: sqlite3.Connection, path: Path | None) -> list[str]:
    """Problems SQLite finds in the file's pages and in the facts' full-text index."""
    if path is None:
        return []
    rows = [str(r[0]) for r in db.execute("PRAGMA quick_check(20)").fetchall()]
    problems = [r for r in rows if r != "ok"]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    if not problems and "facts_fts" in tables:
        try:
            db.execute("INSERT INTO facts_fts(facts_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            if classify(exc, path).code != "corrupt":
                raise
            problems.append(f"the facts' search index: {exc}")
    return problems


def classify(exc: BaseException, path: Path | None) -> MemoryError_:
    """Any error from her memory's database or files, told apart: damage, space, rights, I/O."""
    if isinstance(exc, MemoryError_):
        return exc
    where = path or Path(":memory:")
    directory = where.parent
    if isinstance(exc, OSError):
        return from_os(exc, where, directory)
    detail = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary is None:  # no code (raised by hand): the words are all there is
        lowered = detail.lower()
        primary = (13 if "full" in lowered else 11 if "malformed" in lowered or
                   "not a database" in lowered else 8 if "readonly" in lowered else 10)
    if primary in _CORRUPT:
        return corrupt_error(path, detail)
    if primary in _FULL or (primary == 10 and path is not None and disk_full(directory)):
        return full_error(where, detail)
    if primary in _BUSY:
        return MemoryError_("busy", f"{where} is locked by another process ({detail})",
                            "stop the other samantha (systemctl stop samantha) and try again")
    if primary in _READONLY | _DENIED:
        if path is not None and read_only_fs(directory):
            return _read_only_error(where, detail)
        if path is not None and path.exists() and not os.access(path, os.W_OK):
            return _denied_error(where, detail)
        if path is not None and not os.access(directory, os.W_OK | os.X_OK):
            return _denied_error(directory, detail)
        if primary in _READONLY:
            return _denied_error(where, detail)
    if isinstance(exc, sqlite3.Error) or primary == 10:
        return _io_error(where, detail)
    return _io_error(where, f"{type(exc).__name__}: {detail}")
