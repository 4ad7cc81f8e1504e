"""The house rule of one folder per language, kept by a test: Korean text lives only in
``lang/ko`` (the script table aside), and code outside the packs does not branch on a language
code (whisper's own detect-the-language mode aside). A new module that writes Korean words or
``if language == "ko"`` elsewhere fails here, naming the line."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "samantha"
HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
BRANCH = re.compile(r"""(language|lang|code)\s*(==|!=|in)\s*[("']|"""
                    r"""== *"(en|ko|auto)"|"(ko|en)" *(==|in)""")
ALLOWED_BRANCHES = {"inference/asr.py"}
"""whisper's "auto" (detect the language on the full window) is an engine mode, not a language."""


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "lang/ko" not in p.relative_to(SRC).as_posix())


def test_korean_text_lives_only_in_the_korean_folder() -> None:
    found = [f"{p.relative_to(SRC)}:{n}" for p in _modules()
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if HANGUL.search(line)]
    assert found == []


def test_no_code_outside_the_packs_branches_on_a_language_code() -> None:
    found = [f"{p.relative_to(SRC)}:{n}: {line.strip()}" for p in _modules()
             if not p.relative_to(SRC).as_posix().startswith("lang/")
             and p.relative_to(SRC).as_posix() not in ALLOWED_BRANCHES
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if BRANCH.search(line) and '"corrupt"' not in line]
    assert found == []
