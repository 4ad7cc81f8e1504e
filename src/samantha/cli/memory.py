"""``samantha memory list | export | forget | repair``: what she remembers, in her person's
hands. ``list`` and ``export`` still read a file she cannot write (a full or read-only disk);
``repair`` is the only thing that ever moves a damaged file aside (``companion.repair``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from samantha import config
from samantha.companion.memory import FILE, Memory
from samantha.companion.repair import repair
from samantha.companion.storage import MemoryError_, not_a_dir
from samantha.errors import SamanthaError

if TYPE_CHECKING:
    from samantha.cli import Subparsers


class MemoryCliError(SamanthaError):
    stage = "memory"


def register(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "memory", help="list, export, forget or repair what she remembers",
        description="Her memory lives only in her state directory, on this device.")
    parser.add_argument("--state-dir", help="where her memory lives")
    sub = parser.add_subparsers(dest="memory_command", metavar="COMMAND", required=True)
    sub.add_parser("list", help="the facts she keeps about you, with their ids")
    sub.add_parser("export", help="everything she remembers, as JSON on stdout")
    p = sub.add_parser("forget", help="forget one fact by id, or everything")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("id", nargs="?", type=int, help="a fact's id (see `samantha memory list`)")
    what.add_argument("--all", action="store_true",
                      help="every turn, fact, note and reminder, wiped from the file")
    sub.add_parser("repair", help="a damaged memory file: keep it aside, recover what can be "
                   "read into a fresh one")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    overrides = dict(getattr(args, "overrides", None) or {})
    if args.state_dir:
        overrides["state_dir"] = args.state_dir
    state = config.load(args.config, overrides=overrides).state_path
    misplaced = not_a_dir(state)
    if misplaced is not None:
        raise misplaced
    if args.memory_command != "forget" and not (state / FILE).is_file():
        raise MemoryCliError("empty", f"no memory yet in {state}",
                             "talk with her first, or pass --state-dir")
    if args.memory_command == "repair":
        return _repair(state)
    try:
        memory = Memory(state, snapshots=args.memory_command == "forget")
    except MemoryError_ as err:
        if args.memory_command == "forget" or err.code == "corrupt":
            raise
        print(f"warning: {err}", file=sys.stderr)  # she cannot write it, but it can be read
        memory = Memory.degraded(state, err)
    try:
        if args.memory_command == "list":
            facts = memory.facts()
            for fact_id, at, text in facts:
                print(f"{fact_id:>5}  {at}  {text}")
            if not facts:
                print("She remembers no facts about you yet.")
        elif args.memory_command == "export":
            json.dump(memory.export(), sys.stdout, ensure_ascii=False, indent=2)
            print()
        elif args.all:
            memory.forget_everything()
            print(f"Forgotten: everything in {state / FILE}.")
        elif args.id not in {fact_id for fact_id, _, _ in memory.facts()}:
            raise MemoryCliError("no-such-fact", f"there is no fact with id {args.id}",
                                 "see the ids with `samantha memory list`")
        else:
            memory.forget_fact(args.id)
            print(f"Forgotten: fact {args.id}.")
        if memory.fault is not None and memory.fault.code == "corrupt":
            raise memory.fault
    finally:
        memory.close()
    return 0


def _repair(state: Path) -> int:
    done = repair(state)
    if done.kept is None:
        print(f"Her memory in {state / FILE} is healthy: nothing to repair.")
        return 0
    print(f"Her memory file was damaged. Kept as it was: {done.kept}.")
    print(f"Recovered into a fresh {state / FILE}: {_counts(done.recovered)}.")
    print(f"  read from the damaged file: {_counts(done.from_file)}")
    if done.snapshot is None:
        print("  from a snapshot: none (there was no snapshot that checked out)")
    else:
        print(f"  only in the snapshot {done.snapshot.name}: {_counts(done.from_snapshot)}")
    if done.missing_pages or done.lost:
        gone = f" ({done.missing_pages} pages gone)" if done.missing_pages else ""
        print(f"Part of the damaged file could not be read{gone}: what was only there is lost.")
    return 0


def _counts(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in rows.items() if n) or "nothing"
