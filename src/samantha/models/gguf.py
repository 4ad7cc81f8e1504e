"""The metadata of a GGUF file (its header's key-value section), read without loading weights.

Enough for ``samantha models add``: the model's name, architecture, size label, context length
and, above all, its chat template (an instruct model has one; a base model does not).
Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md (little-endian; version 2+).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any, BinaryIO

from samantha.errors import ModelError

MAGIC = b"GGUF"
MAX_KEYS = 100_000
MAX_STRING = 64 << 20  # a chat template is a few kB; a tokenizer's vocabulary is an array
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q",
            11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9


def _bad(path: Path, what: str) -> ModelError:
    return ModelError("not-gguf", f"{path} is not a readable GGUF model ({what})",
                      "give the .gguf file of an instruct model (e.g. from its Hugging Face page)")


def _read(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    raw = fh.read(size)
    if len(raw) != size:
        raise EOFError
    return struct.unpack(fmt, raw)[0]


def _string(fh: BinaryIO) -> str:
    n = _read(fh, "<Q")
    if n > MAX_STRING:
        raise ValueError(f"a string of {n} bytes")
    raw = fh.read(n)
    if len(raw) != n:
        raise EOFError
    return raw.decode("utf-8", "replace")


def _value(fh: BinaryIO, kind: int, keep: bool = True) -> Any:
    if kind in _SCALARS:
        return _read(fh, _SCALARS[kind])
    if kind == STRING:
        return _string(fh)
    if kind == ARRAY:
        item, n = _read(fh, "<I"), _read(fh, "<Q")
        if item in _SCALARS and not keep:  # skip a long array (token scores) without reading it
            fh.seek(n * struct.calcsize(_SCALARS[item]), 1)
            return n
        values = [_value(fh, item, keep) for _ in range(n)]
        return values if keep else n
    raise ValueError(f"unknown value type {kind}")


def metadata(path: Path) -> dict[str, Any]:
    """Every key of the header; arrays are kept only when short (else their length)."""
    try:
        with path.open("rb") as fh:
            if fh.read(4) != MAGIC:
                raise _bad(path, "no GGUF magic at its start")
            version = _read(fh, "<I")
            if version < 2:
                raise _bad(path, f"GGUF version {version} is too old")
            _read(fh, "<Q")  # tensors
            keys = _read(fh, "<Q")
            if keys > MAX_KEYS:
                raise _bad(path, f"{keys} metadata keys")
            out: dict[str, Any] = {}
            for _ in range(keys):
                key = _string(fh)
                kind = _read(fh, "<I")
                out[key] = _value(fh, kind, keep=not key.startswith("tokenizer.ggml."))
            return out
    except FileNotFoundError:
        raise ModelError("missing", f"{path} does not exist", "check the path") from None
    except IsADirectoryError:
        raise ModelError("not-gguf", f"{path} is a directory", "give the .gguf file") from None
    except (EOFError, ValueError, struct.error) as exc:
        raise _bad(path, f"its header is cut short or damaged: {exc or 'ends early'}") from None


def describe(meta: dict[str, Any]) -> dict[str, Any]:
    """What ``models add`` records: name, architecture, size label, context, chat template."""
    arch = str(meta.get("general.architecture", ""))
    return {
        "name": str(meta.get("general.name", "")),
        "architecture": arch,
        "size_label": str(meta.get("general.size_label", "")),
        "context_length": int(meta.get(f"{arch}.context_length", 0) or 0),
        "chat_template": str(meta.get("tokenizer.chat_template", "")),
        "file_type": int(meta.get("general.file_type", -1)),
    }
