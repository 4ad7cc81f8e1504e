"""A language's data files: ``lang/<code>/<name>.toml`` (her filter's words, crisis words, what
the benchmark says in that language) and its hidden list (``data/say_filter_<code>.txt``),
found by the pack's code, read once."""

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


@cache
def hidden(code: str) -> tuple[str, ...]:
    """The hidden list of words she never says in language ``code`` (``data/say_filter_<code>
    .txt``, one entry a line; none where the language has no list)."""
    path = resources.files("samantha").joinpath("data", f"say_filter_{code}.txt")
    if not path.is_file():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(ln.strip() for ln in lines if ln.strip() and not ln.startswith("#"))
