"""Bring your own model: ``samantha models add FILE.gguf``.

The owner's GGUF file is read (its header only: name, architecture, size, and the chat template
that makes it an instruct model), hashed once, and linked (or copied) into the models
directory under ``llm/added/``. Its size and sha256 are pinned then, on first use, in
``added.toml`` beside the manifest, which the model store reads with the manifest: from then on
it is verified before every load like any shipped model, and ``--llm NAME`` picks it
(``samantha chat``, ``eval``, ``bench``, or ``[llm] model``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from samantha.errors import ModelError
from samantha.models import gguf
from samantha.models import store as modelstore

FILE = "added.toml"
FOLDER = "llm/added"
HEADER = ("# Models added by `samantha models add` (their sizes and sha256 pinned when added).\n"
          "# Read with manifest.toml; remove an entry here to forget a model.\n")


@dataclass(frozen=True, slots=True)
class Added:
    name: str
    path: Path
    size: int
    sha256: str
    about: dict[str, object]
    new: bool
    """False: the same file was already added under this name."""


def slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._") or "model"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)


def entry_text(name: str, rel: str, size: int, sha256: str, about: dict[str, object]) -> str:
    bits = [str(about.get(k)) for k in ("name", "architecture", "size_label") if about.get(k)]
    ctx = about.get("context_length") or 0
    description = (f"Added by the owner: {', '.join(bits) or 'a GGUF model'}"
                   f"{f', trained context {ctx}' if ctx else ''}; chat template from its file.")
    table = {"name": name, "role": "llm", "format": "gguf", "languages": ["unknown"],
             "license": "see the model's own card", "description": description}
    lines = ["", "[[model]]", *(f"{k} = {_toml(v)}" for k, v in table.items()),
             "", "[[model.files]]", f"path = {_toml(rel)}", f"size = {size}",
             f"sha256 = {_toml(sha256)}"]
    return "\n".join(lines) + "\n"


def _place(src: Path, dest: Path) -> None:
    """A hard link where the file system allows, else a copy (renamed into place whole)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".partial")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def add(file: Path, models_dir: Path, name: str | None = None,
        manifest: Path | None = None) -> Added:
    """Check ``file`` is an instruct GGUF model, pin it, and make it a named model."""
    if file.suffix.lower() != ".gguf":
        raise ModelError("not-gguf", f"{file} is not a .gguf file",
                         "give a llama.cpp model file (FILE.gguf)")
    about = gguf.describe(gguf.metadata(file))
    if not about["chat_template"]:
        raise ModelError("no-template", f"{file.name} has no chat template in its metadata: it "
                         "is a base model, which rambles instead of answering",
                         "choose the instruct (chat) version of the model")
    name = name or slug(file.stem)
    rel = f"{FOLDER}/{file.name}"
    dest = models_dir / rel
    added_file = models_dir / FILE
    known = {e.name: e for e in modelstore.entries(manifest)}
    if name in known:
        old = known[name]
        if old.files[0].path != rel:
            raise ModelError("name-taken", f"a model named {name!r} is already in the manifest",
                             "choose another with --name")
        sha = modelstore.sha256_of(file, progress=True)
        if sha != old.files[0].sha256:
            raise ModelError("pinned", f"{name} was added before with sha256 "
                             f"{old.files[0].sha256[:16]}..., and {file} is {sha[:16]}...",
                             f"remove its entry from {added_file} to add the new file")
        if not dest.is_file():
            _place(file, dest)
        return Added(name, dest, old.files[0].size, sha, about, new=False)
    if any(e.files[0].path == rel for e in known.values()):
        raise ModelError("name-taken", f"{rel} is already added under another name",
                         "rename the file, or use the name `samantha models list` shows")
    sha = modelstore.sha256_of(file, progress=True)
    size = file.stat().st_size
    if file.resolve() != dest.resolve():
        _place(file, dest)
    if modelstore.sha256_of(dest) != sha:
        dest.unlink(missing_ok=True)
        raise ModelError("corrupt", f"the copy of {file} in {dest} differs from it",
                         "check the disk, then add it again")
    text = added_file.read_text(encoding="utf-8") if added_file.is_file() else HEADER
    added_file.write_text(text + entry_text(name, rel, size, sha, about), encoding="utf-8")
    modelstore.forget_cache()
    return Added(name, dest, size, sha, about, new=True)
