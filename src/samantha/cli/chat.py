"""``samantha chat``: the same brain, persona, filter and history, typed instead of spoken.

The typed turn is the spoken turn without ears or voice (``pipeline.turn.typed``). A line she
cannot take (not UTF-8, or longer than ``MAX_CHARS``) gets a one-line error naming the problem
and the fix; with piped input the next lines are still answered.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from samantha import config
from samantha.companion.conversation import from_config
from samantha.errors import SamanthaError
from samantha.inference.engines import build_llm
from samantha.pipeline.turn import typed

MAX_CHARS = 1000
"""The longest typed message: about 250 tokens, so the persona, the recent history and her
reply still fit the smallest board's context (1,024 tokens on the rpi4 profile)."""


class ChatError(SamanthaError):
    stage = "chat"


def check(text: str, where: str) -> str:
    """``text`` if she can take it; else a ``ChatError`` that says what is wrong and what to do."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ChatError("not-utf8", f"{where} is not valid UTF-8 text",
                        "type or pipe UTF-8 (convert with iconv -t UTF-8)") from None
    if len(text) > MAX_CHARS:
        raise ChatError("too-long", f"{where} is {len(text):,} characters long; she takes at "
                        f"most {MAX_CHARS:,} at a time", "send it in shorter messages")
    return text


async def chat(args: argparse.Namespace) -> int:
    overrides = dict(args.overrides or {})
    if args.state_dir:
        overrides["state_dir"] = args.state_dir
    cfg = config.load(args.config, overrides=overrides)
    llm = build_llm(cfg)
    conversation = from_config(cfg)
    try:
        lines = [args.once] if args.once is not None else _typed_lines()
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                check(text, "the message" if args.once is not None else f"line {number}")
            except ChatError as err:
                if args.once is not None:
                    raise
                print(str(err), file=sys.stderr, flush=True)  # and on to the next line
                continue
            reply = await typed(text, llm, conversation)
            print(json.dumps({"reply": reply}, ensure_ascii=False) if args.json else reply,
                  flush=True)
    finally:
        conversation.close()
        llm.close()
    return 0


def _typed_lines() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("you> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")
