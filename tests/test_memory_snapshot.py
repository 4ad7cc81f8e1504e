"""Nothing is lost: rotating snapshots of her memory, and `samantha memory repair` on a torn file.

Real files throughout: a memory written through ``Memory``, cut to half its size with
``os.truncate`` (what a power cut during a write leaves on an SD card), repaired by the real CLI
in a subprocess; snapshots taken by SQLite's backup API and counted on disk.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import run_cli
from samantha.appliance.checks import OK, WARN, memory_file
from samantha.companion import snapshot
from samantha.companion.memory import FILE, MIGRATIONS, Memory
from samantha.companion.repair import repair
from samantha.companion.salvage import salvage
from samantha.companion.snapshot import snapshots
from samantha.config import Config

N = 300


def fact(i: int) -> str:
    return f"The person's friend number {i} is called Friend{i}."


def write(state: Path, start: int, stop: int, snapshot_after: bool = False) -> None:
    """Facts and turns ``start``..``stop`` written and confirmed, no snapshot of its own."""
    mem = Memory(state, snapshots=False)
    for i in range(start, stop):
        assert mem.add_fact(fact(i))
        mem.add_turn(f"Tell me about day {i}. " + "word " * 30, f"Day {i} was fine. " + "ok " * 30)
    mem.close()
    if snapshot_after:
        assert snapshot.take(state / FILE) is not None


def tear(state: Path) -> bytes:
    """The memory file cut at half its size, as a power cut mid-write leaves it; its bytes."""
    path = state / FILE
    assert not Path(f"{path}-wal").exists()
    os.truncate(path, path.stat().st_size // 2)
    return path.read_bytes()


def facts_in(state: Path) -> list[str]:
    mem = Memory(state, snapshots=False)
    try:
        return [text for _, _, text in mem.facts()]
    finally:
        mem.close()


def check_kept(state: Path, torn: bytes) -> None:
    kept = [p for p in state.iterdir() if p.name.startswith(f"{FILE}.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == torn  # never deleted, never changed


def test_repair_salvages_the_rows_a_torn_file_still_holds(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, N)
    torn = tear(state)
    done = run_cli("memory", "--state-dir", str(state), "repair", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "from a snapshot: none" in done.stdout and "pages gone" in done.stdout
    check_kept(state, torn)
    recovered = facts_in(state)
    assert set(recovered) <= {fact(i) for i in range(N)}  # each one whole, word for word
    assert len(recovered) >= 0.3 * N, len(recovered)  # before: 0 of 300
    line = next(x for x in done.stdout.splitlines() if "read from the damaged file" in x)
    assert f" {len(recovered)} facts" in line, done.stdout  # the owner is told what came back
    mem = Memory(state, snapshots=False)
    last = recovered[-1]  # e.g. "... is called Friend106.": the search index finds it again
    assert mem.recall(f"who is {last.split()[-1].rstrip('.')}?") == [last]
    mem.close()


def test_repair_merges_the_newest_snapshot_into_what_the_file_still_holds(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 100, snapshot_after=True)
    write(state, 100, 250, snapshot_after=True)
    write(state, 250, N)  # told after the last snapshot
    torn = tear(state)
    salvaged_alone = len(_salvage_only(tmp_path, state))
    done = run_cli("memory", "--state-dir", str(state), "repair", timeout=60)
    assert done.returncode == 0, done.stderr
    newest = snapshots(state / FILE)[-1]
    assert f"only in the snapshot {newest.name}:" in done.stdout, done.stdout
    check_kept(state, torn)
    recovered = set(facts_in(state))
    assert {fact(i) for i in range(250)} <= recovered  # all that the snapshot had
    assert len(recovered) == 250 + len(recovered - {fact(i) for i in range(250)})
    assert recovered <= {fact(i) for i in range(N)}
    assert salvaged_alone < 250 <= len(recovered)


def _salvage_only(tmp_path: Path, state: Path) -> list[str]:
    """What the torn file alone gives (a copy of it repaired with no snapshot beside it)."""
    alone = tmp_path / "alone"
    alone.mkdir(mode=0o700)
    (alone / FILE).write_bytes((state / FILE).read_bytes())
    repair(alone)
    return facts_in(alone)


def test_a_damaged_snapshot_is_passed_over_for_an_older_good_one(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 100, snapshot_after=True)
    write(state, 100, 200, snapshot_after=True)
    older, newest = snapshots(state / FILE)
    os.truncate(newest, newest.stat().st_size // 2)
    write(state, 200, 220)
    tear(state)
    done = repair(state)
    assert done.snapshot == older and newest.exists()  # the damaged snapshot is left as it is
    assert {fact(i) for i in range(100)} <= set(facts_in(state))


def test_a_memory_file_cut_to_nothing_is_restored_not_started_afresh(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 50, snapshot_after=True)
    os.truncate(state / FILE, 0)
    listed = run_cli("memory", "--state-dir", str(state), "list", timeout=60)
    assert listed.returncode == 2 and "[corrupt]" in listed.stderr
    assert "empty (0 bytes)" in listed.stderr and "memory repair" in listed.stderr
    assert (state / FILE).stat().st_size == 0  # not made into a new, empty memory
    done = repair(state)
    assert done.from_snapshot["facts"] == 50 and facts_in(state) == [fact(i) for i in range(50)]


def test_snapshots_rotate_within_a_bounded_disk_use(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    dead = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True)
    stale = state / f".{FILE}.snapshot-taking-{int(dead.stdout)}-1"  # its process died mid-copy
    stale.write_bytes(b"\0" * 65536)
    mem = Memory(state)  # the real cadence: one after a clean open, then every EVERY_WRITES
    assert mem.snapshots is not None
    for i in range(3 * snapshot.EVERY_WRITES + 50):
        assert mem.add_fact(fact(i))
    mem.snapshots.wait(None)  # one asked for while another is taken follows it (not dropped)
    mem.close()
    cadence = snapshots(state / FILE)
    assert 2 <= len(cadence) <= snapshot.KEEP  # 4 asked for; a busy box merges some
    db = sqlite3.connect(cadence[-1])  # the last one was taken after the 300th write
    assert db.execute("SELECT count(*) FROM facts").fetchone()[0] >= 3 * snapshot.EVERY_WRITES
    db.close()
    for _ in range(snapshot.KEEP + 1):
        assert snapshot.take(state / FILE) is not None
    kept = snapshots(state / FILE)
    numbers = [int(p.name.rsplit("-", 1)[1]) for p in kept]
    assert len(kept) == snapshot.KEEP
    assert numbers == list(range(numbers[0], numbers[0] + snapshot.KEEP))
    assert numbers[0] > snapshot.KEEP  # the oldest went
    size = (state / FILE).stat().st_size
    assert sum(p.stat().st_size for p in kept) <= snapshot.KEEP * size
    for p in kept:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600 and snapshot.check(p) is None
    assert not [p for p in state.iterdir() if "taking" in p.name]  # the stale copy is gone


def test_no_snapshot_when_the_disk_has_no_room_for_it(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    write(state, 0, 10)
    real = snapshot.shutil.disk_usage

    def nearly_full(path: object) -> object:  # the one faked edge: a disk with 1 MiB left
        usage = real(path)  # type: ignore[arg-type]
        return usage._replace(free=1024 * 1024)

    monkeypatch.setattr(snapshot.shutil, "disk_usage", nearly_full)
    assert snapshot.take(state / FILE) is None and snapshots(state / FILE) == []


def test_forgetting_a_fact_removes_it_from_every_snapshot(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 20, snapshot_after=True)
    mem = Memory(state)
    secret = mem.add_fact("The person's password hint is Zanzibarqux.")
    assert secret is not None
    mem.close()
    assert snapshot.take(state / FILE) is not None
    assert any(b"Zanzibarqux" in p.read_bytes() for p in snapshots(state / FILE))
    mem = Memory(state)
    assert mem.forget_fact(secret)
    assert mem.snapshots is not None
    mem.snapshots.wait(None)  # however busy the machine
    mem.close()
    assert snapshots(state / FILE)  # a fresh one was taken after the forget
    for p in state.iterdir():
        assert b"anzibarqux" not in p.read_bytes(), p  # nor the index's lower-cased word
    tear(state)
    kept = repair(state).kept
    assert kept is not None and len(facts_in(state)) == 20
    assert not any("Zanzibarqux" in f for f in facts_in(state))  # not brought back


def test_forgetting_after_a_repair_removes_the_damaged_copy_that_holds_it(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 200)
    tear(state)
    kept = repair(state).kept
    assert kept is not None and kept.exists()
    mem = Memory(state)
    told = [(i, t) for i, _, t in mem.facts()]
    assert fact(0) in kept.read_bytes().decode("utf-8", "replace")
    assert mem.forget_fact(told[0][0])
    mem.close()
    assert not kept.exists()  # she says "forgotten" only when it is: no copy keeps it
    for p in state.iterdir():
        assert fact(0).encode() not in p.read_bytes(), p


def test_doctor_says_whether_her_memory_is_well_restored_or_read_only(tmp_path: Path) -> None:
    state = tmp_path / "state"
    cfg = Config(state_dir=str(state))
    assert memory_file(cfg).status == OK and "none yet" in memory_file(cfg).detail
    write(state, 0, 30, snapshot_after=True)
    well = memory_file(cfg)
    assert well.status == OK and "checks out; 1 snapshot(s)" in well.detail, well
    tear(state)
    torn = memory_file(cfg)
    assert torn.status == WARN and "damaged" in torn.detail and "memory repair" in torn.fix
    repair(state)
    restored = memory_file(cfg)
    assert restored.status == WARN and "restored by `samantha memory repair`" in restored.detail
    assert "delete" in restored.fix and ".damaged-" in restored.fix
    os.chmod(state, 0o500)
    read_only = memory_file(cfg)
    assert read_only.status == WARN and "saves nothing" in read_only.detail
    assert read_only.fix == f"chmod 700 {state} if she should save again"
    assert stat.S_IMODE(state.stat().st_mode) == 0o500
    os.chmod(state, 0o700)
    shutil.rmtree(state)
    state.write_text("not a folder")
    misplaced = memory_file(cfg)
    assert misplaced.status == WARN and "is a file, not a directory" in misplaced.detail


def test_a_snapshot_from_an_older_schema_is_still_merged(tmp_path: Path) -> None:
    """A snapshot taken before ``reminders.lang`` existed (schema 2) still gives its rows."""
    state = tmp_path / "state"
    write(state, 0, 40)
    old = sqlite3.connect(state / f"{FILE}.snapshot-000001")
    for script in MIGRATIONS[:2]:
        old.executescript(script)
    old.execute("INSERT INTO reminders(due, kind, text) VALUES ('2026-12-24T09:00', 'reminder', "
                "'call Mum')")
    old.executemany("INSERT INTO facts(id, at, text) VALUES (?, 'then', ?)",
                    [(i + 1, fact(i)) for i in range(40)])
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    tear(state)
    done = repair(state)
    assert done.snapshot is not None and done.from_snapshot["reminders"] == 1
    mem = Memory(state, snapshots=False)
    assert mem.read("SELECT due, kind, text, lang FROM reminders") == [
        ("2026-12-24T09:00", "reminder", "call Mum", "")]
    assert len(mem.facts()) == 40
    mem.close()


def test_rows_still_in_the_journal_of_a_killed_process_are_recovered(tmp_path: Path) -> None:
    """Power lost while she ran: the last writes are only in the WAL, and the file is torn."""
    state, crashed = tmp_path / "state", tmp_path / "crashed"
    write(state, 0, 100)
    mem = Memory(state, snapshots=False)
    for i in range(100, 160):
        assert mem.add_fact(fact(i))
    crashed.mkdir(mode=0o700)
    for suffix in ("", "-wal"):  # the files as they are on disk at this moment, WAL and all
        (crashed / f"{FILE}{suffix}").write_bytes(Path(f"{state / FILE}{suffix}").read_bytes())
    mem.close()
    assert Path(f"{crashed / FILE}-wal").stat().st_size > 0
    os.truncate(crashed / FILE, (crashed / FILE).stat().st_size // 2)
    in_pages = {row[2] for row in salvage(crashed / FILE).rows["facts"].values()}
    assert {fact(i) for i in range(100, 160)} <= in_pages  # read from the WAL's frames
    repair(crashed)
    recovered = set(facts_in(crashed))
    assert {fact(i) for i in range(100, 160)} <= recovered  # every write she confirmed last
    assert recovered <= {fact(i) for i in range(160)}


def test_a_delete_without_a_scrub_is_snapshotted_again_at_the_next_write(tmp_path: Path) -> None:
    state = tmp_path / "state"
    write(state, 0, 10)
    mem = Memory(state)
    assert mem.snapshots is not None
    mem.snapshots.wait()
    assert len(snapshots(state / FILE)) == 1
    assert mem.write("DELETE FROM facts WHERE text = ?", (fact(3),)) is not None
    assert snapshots(state / FILE) == []  # gone before the write returned
    assert mem.add_fact("The person likes tea.")
    assert mem.snapshots is not None
    mem.snapshots.wait(None)  # however busy the machine
    mem.close()
    (kept,) = snapshots(state / FILE)
    assert fact(3).encode() not in kept.read_bytes() and b"likes tea" in kept.read_bytes()


def test_rows_whose_table_root_page_is_gone_are_told_apart_by_their_shape(tmp_path: Path) -> None:
    """The root pages of facts and turns zeroed (a torn write there): SQLite cannot reach a row
    of either, and every leaf page is given to its table by the shape of its records."""
    state = tmp_path / "state"
    write(state, 0, N)
    db = sqlite3.connect(state / FILE)
    roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master WHERE name IN "
                            "('facts', 'turns')").fetchall())
    db.close()
    with (state / FILE).open("r+b") as fh:
        for root in roots.values():
            assert root > 1
            fh.seek((root - 1) * 4096)
            fh.write(b"\0" * 4096)
    done = repair(state)
    assert done.kept is not None and done.recovered["facts"] == N, done
    assert set(facts_in(state)) == {fact(i) for i in range(N)}
    mem = Memory(state, snapshots=False)
    turns = mem.read("SELECT id, user FROM turns ORDER BY id")
    mem.close()
    assert [u for _, u in turns] == [f"Tell me about day {i}. " + "word " * 30 for i in range(N)]
