"""What `samantha memory repair` gets back from a torn memory file, and what a snapshot costs.

    PYTHONPATH=src .venv/bin/python scripts/memory_tear.py [--facts 300] [--cut 0.5]
                                  [--snapshot-after N] [--batch 1] [--dir DIR]

Writes ``--facts`` facts and as many turns (one confirmed write each, as she does) into a fresh
memory in DIR (a temporary directory by default; ``--batch B``: B of each per transaction, to
build a large memory quickly), takes one snapshot after ``--snapshot-after``
of each (none by default) and times it, cuts the file at ``--cut`` of its size with
``os.truncate`` (a power cut mid-write), runs the real repair and prints the rows recovered out
of the rows written, from the file and from the snapshot, and how long repair took.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

from samantha.companion import snapshot
from samantha.companion.memory import FILE, Memory
from samantha.companion.repair import repair


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facts", type=int, default=300)
    parser.add_argument("--cut", type=float, default=0.5)
    parser.add_argument("--snapshot-after", type=int, default=None)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--dir", default=None)
    args = parser.parse_args()
    state = Path(args.dir or tempfile.mkdtemp(prefix="memory-tear-")) / "state"
    mem = Memory(state, snapshots=False)
    took = None
    batch: list[tuple[str, tuple[object, ...]]] = []
    for i in range(args.facts):
        at = datetime.now().isoformat(timespec="seconds")  # as she stamps them
        batch += [("INSERT INTO facts(at, text) VALUES (?, ?)",
                   (at, f"The person's friend number {i} is called Friend{i}.")),
                  ("INSERT INTO turns(at, user, reply) VALUES (?, ?, ?)",
                   (at, f"Tell me about day {i}. " + "word " * 30,
                    f"Day {i} was fine. " + "ok " * 30))]
        if len(batch) >= 2 * args.batch or args.snapshot_after == i + 1 or i + 1 == args.facts:
            assert mem.write_all(batch)
            batch = []
        if args.snapshot_after == i + 1:
            start = time.perf_counter()
            snapshot.take(state / FILE)
            took = time.perf_counter() - start
    mem.close()
    path = state / FILE
    size = path.stat().st_size
    os.truncate(path, int(size * args.cut))
    start = time.perf_counter()
    done = repair(state)
    spent = time.perf_counter() - start
    n = args.facts
    print(f"{n} facts + {n} turns, file {size} bytes cut at {args.cut:.0%}, snapshot after "
          f"{args.snapshot_after or 'none'}"
          + (f" (took {took * 1000:.1f} ms)" if took is not None else ""))
    for table in ("facts", "turns"):
        print(f"  {table}: {done.recovered.get(table, 0)} / {n} recovered "
              f"({done.from_file.get(table, 0)} from the file, "
              f"{done.from_snapshot.get(table, 0)} from the snapshot)")
    print(f"  repair: {spent * 1000:.0f} ms; {done.missing_pages} pages gone; state in {state}")


if __name__ == "__main__":
    main()
