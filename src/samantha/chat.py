"""``samantha chat``: the same brain and persona, typed instead of spoken."""

from __future__ import annotations

import argparse
import json
import sys

from samantha import config, modelstore
from samantha.conversation import from_config
from samantha.llm import LanguageModel, Sampling
from samantha.turn import think


async def chat(args: argparse.Namespace) -> int:
    overrides = dict(args.overrides or {})
    if args.state_dir:
        overrides["state_dir"] = args.state_dir
    cfg = config.load(args.config, overrides=overrides)
    llm = LanguageModel(modelstore.path_for(cfg.llm.model), cfg.llm.threads, cfg.llm.n_ctx,
                        Sampling(max_tokens=cfg.llm.max_tokens, temperature=cfg.llm.temperature))
    conversation = from_config(cfg)
    try:
        lines = [args.once] if args.once is not None else _typed_lines()
        for text in lines:
            if not text.strip():
                continue
            reply = await think(text, llm, conversation)
            print(json.dumps({"reply": reply}, ensure_ascii=False) if args.json else reply,
                  flush=True)
    finally:
        conversation.close()
        llm.close()
    return 0


def _typed_lines():  # type: ignore[no-untyped-def]
    interactive = sys.stdin.isatty()
    while True:
        if interactive:
            print("you> ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            return
        yield line.rstrip("\n")
