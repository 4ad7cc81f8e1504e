"""A language's data files: ``lang/<code>/<name>.toml`` (her filter's words, crisis words, what
the benchmark says in that language), found by the pack's code, parsed once."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def table(code: str, name: str) -> dict[str, Any]:
    """``lang/<code>/<name>.toml`` ({} where the language has no such file)."""
    path = resources.files("samantha").joinpath("lang", code, f"{name}.toml")
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))
