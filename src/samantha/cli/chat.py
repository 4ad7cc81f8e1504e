"""``samantha chat``: the same brain, persona, filter and history, typed instead of spoken.

The typed turn is the spoken turn without ears or voice (``pipeline.turn.typed``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from samantha import config
from samantha.companion.conversation import from_config
from samantha.inference.engines import build_llm
from samantha.pipeline.turn import typed


async def chat(args: argparse.Namespace) -> int:
    overrides = dict(args.overrides or {})
    if args.state_dir:
        overrides["state_dir"] = args.state_dir
    cfg = config.load(args.config, overrides=overrides)
    llm = build_llm(cfg)
    conversation = from_config(cfg)
    try:
        lines = [args.once] if args.once is not None else _typed_lines()
        for text in lines:
            if not text.strip():
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
