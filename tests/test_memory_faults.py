"""Memory that degrades, never blocks: a full disk (at start and filling mid-conversation), a
read-only, foreign or shared state directory, one that is a file, one (or a memory file) its
owner set read-only, a damaged page and a damaged search index. Each:
she still answers (once saying she is not saving), one clear log line, no false confirmation,
and the memory file byte for byte as it was. Then `samantha memory repair`.

Real filesystems, not mocks: a small tmpfs filled to the last byte, remounted read-only (chmod
does not stop root); a test skips only where mounting is refused.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli, silent
from samantha.audio.chunk import to_pipeline
from samantha.companion.conversation import Conversation
from samantha.companion.exchange import Exchange
from samantha.companion.memory import FILE, Memory
from samantha.companion.repair import repair
from samantha.companion.snapshot import snapshots
from samantha.companion.storage import MemoryError_
from samantha.config import MemoryConfig, Persona
from samantha.pipeline.turn import TurnResult, respond, typed
from samantha.testing.fakes import RecordingSpeaker, ScriptedLanguageModel

NO_FACTS = MemoryConfig(extract_facts=False)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs of its own, so it can be filled and remounted read-only."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", str(mnt)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(mnt: Path) -> None:
    block = b"\0" * 4096
    with (mnt / "filler").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(block)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    for n in range(10_000):  # and the last inodes' worth of small files, if any
        try:
            (mnt / f"f{n}").write_bytes(b"x")
        except OSError:
            break


def remount(mnt: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mnt)], check=True)


def seed(state: Path, turns: int = 1) -> bytes:
    """A memory with a fact and a few turns, closed cleanly; its bytes."""
    brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
    assert brain.memory is not None and not brain.memory.frozen
    brain.memory.add_fact("The person's sister is called Ana.")
    for i in range(turns):
        brain.commit(Exchange(text=f"I love hiking, story {i}. " + "On and on. " * 40),
                     "That sounds lovely.")
    brain.close()
    assert not Path(str(state / FILE) + "-wal").exists()
    return (state / FILE).read_bytes()


def talk(brain: Conversation, *lines: str) -> list[str]:
    llm = ScriptedLanguageModel(["Hello again, it is good to hear you.",
                                 "It is a lovely day, yes."])  # not the same line twice
    return [asyncio.run(typed(line, llm, brain)) for line in lines]


def lines_with(caplog: pytest.LogCaptureFixture, code: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if f"[{code}]" in r.getMessage()]


def check_degraded(said: list[str], reason: str) -> None:
    hello, again, bread = said
    assert hello.startswith("Just so you know, I can't save anything right now")
    assert reason in hello and "Hello again" in hello  # and she still answers
    assert again == "It is a lovely day, yes."  # the notice said once, not every turn
    assert "Added bread" not in bread and bread.startswith("Sorry, I couldn't save that")


def test_a_full_disk_at_start(disk: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = disk / "state"
    before = seed(state)
    fill(disk)
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "the disk my memory lives on is full")
    assert brain.history[0][0].startswith("I love hiking")  # what was saved is still hers
    logged = lines_with(caplog, "disk-full")
    assert len(logged) == 1 and "free some space" in logged[0], caplog.text
    assert "damaged" not in caplog.text and "repair" not in caplog.text  # not called corruption
    assert (state / FILE).read_bytes() == before


def test_the_disk_filling_mid_conversation_is_said_aloud(disk: Path, engines,  # type: ignore[no-untyped-def]
                                                         caplog: pytest.LogCaptureFixture) -> None:
    state = disk / "state"
    seed(state)
    brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
    assert brain.memory is not None and brain.memory.fault is None
    before = (state / FILE).read_bytes()
    fill(disk)
    speaker = RecordingSpeaker(engines.tts.rate)
    result = TurnResult()
    with caplog.at_level(logging.WARNING, logger="samantha"):
        asyncio.run(respond("Add bread to my shopping list.", engines.llm, engines.tts, brain,
                            speaker, result))
    spoken = " ".join(result.spoken)
    assert spoken == "Sorry, I couldn't save that: the disk my memory lives on is full."
    audio = speaker.recording()
    assert not silent(audio)
    heard = engines.asr.transcribe(to_pipeline(audio.samples, audio.rate)).text.lower()
    assert "couldn" in heard and "full" in heard and "added" not in heard, heard
    assert len(lines_with(caplog, "disk-full")) == 1, caplog.text
    assert brain.memory.read("SELECT count(*) FROM notes") == [(0,)]
    brain.close()
    (disk / "filler").unlink()
    assert (state / FILE).read_bytes() == before  # the failed writes left no trace in the file
    later = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)  # space again
    assert talk(later, "add bread to my shopping list")[0] == "Added bread to your shopping list."
    later.close()


def test_a_read_only_state_directory(disk: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = disk / "state"
    before = seed(state)
    remount(disk, "ro")
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        assert brain.memory is not None
        assert brain.memory.recall("what is my sister called") == [
            "The person's sister is called Ana."]  # read from the file, untouched
        brain.close()
    check_degraded(said, "read-only")
    assert len(lines_with(caplog, "read-only")) == 1, caplog.text
    listed = run_cli("memory", "--state-dir", str(state), "list", timeout=60)
    assert listed.returncode == 0 and "sister is called Ana" in listed.stdout
    assert "[read-only]" in listed.stderr
    remount(disk, "rw")
    assert (state / FILE).read_bytes() == before


def test_a_state_directory_that_belongs_to_someone_else(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    before = seed(state)
    nobody = 65534
    for p in (state, *state.iterdir()):
        os.chown(p, nobody, nobody)
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "not allowed to write")
    logged = lines_with(caplog, "not-yours")
    assert len(logged) == 1 and "sudo -u nobody" in logged[0], caplog.text
    st = state.stat()
    assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (nobody, 0o700)  # not taken over
    assert (state / FILE).read_bytes() == before


def test_a_shared_directory_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    with pytest.raises(MemoryError_) as err:
        Memory(shared)
    assert err.value.code == "shared-dir" and str(shared / "samantha") in err.value.fix
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777 and not list(shared.iterdir())
    Memory(shared / "samantha").close()  # the fix works
    assert stat.S_IMODE((shared / "samantha").stat().st_mode) == 0o700


def damage_a_page(state: Path) -> bytes:
    """Overwrite one page in the middle of the turns with garbage; the damaged bytes."""
    path = state / FILE
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_page(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    seed(state, turns=120)
    damaged = damage_a_page(state)
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "my memory file is damaged")
    logged = lines_with(caplog, "corrupt")
    assert len(logged) == 1 and "samantha memory repair" in logged[0], caplog.text
    assert (state / FILE).read_bytes() == damaged  # never moved aside on its own
    listed = run_cli("memory", "--state-dir", str(state), "list", timeout=60)
    assert listed.returncode == 2 and "[corrupt]" in listed.stderr
    assert "internal error" not in listed.stderr and len(listed.stderr.splitlines()) == 1


def test_repair_keeps_the_damaged_file_and_recovers_the_rest(tmp_path: Path) -> None:
    state = tmp_path / "state"
    seed(state, turns=120)
    for old in snapshots(state / FILE):  # what the file itself still holds (snapshots: below)
        old.unlink()
    damaged = damage_a_page(state)
    done = run_cli("memory", "--state-dir", str(state), "repair", timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Kept as it was" in done.stdout and "from a snapshot: none" in done.stdout
    kept = [p for p in state.iterdir() if p.name.startswith(FILE + ".damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    mem = Memory(state)  # a healthy file again, with what could be read
    turns = mem.read("SELECT count(*) FROM turns")[0][0]
    assert 100 <= turns < 120, turns  # all but the rows on the page that was overwritten
    assert mem.recall("what is my sister called") == ["The person's sister is called Ana."]
    mem.close()
    again = run_cli("memory", "--state-dir", str(state), "repair", timeout=60)
    assert again.returncode == 0 and "nothing to repair" in again.stdout


def test_a_damaged_search_index_is_repaired_without_loss(tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    seed(state)
    db = sqlite3.connect(state / FILE)
    db.execute("UPDATE facts_fts_data SET block = zeroblob(length(block)) WHERE id > 10")
    db.commit()
    db.close()
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "damaged")
    assert "search index" in lines_with(caplog, "corrupt")[0]
    done = repair(state)
    assert done.kept is not None and done.recovered["facts"] == 1 and done.recovered["turns"] == 1
    mem = Memory(state)
    assert mem.recall("my sister") == ["The person's sister is called Ana."]
    mem.close()


@pytest.mark.slow
def test_chat_answers_on_a_damaged_memory(tmp_path: Path, models_ready: None) -> None:
    state = tmp_path / "state"
    seed(state, turns=120)
    damaged = damage_a_page(state)
    done = run_cli("chat", "--state-dir", str(state), "--once", "Hello, how are you?")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Just so you know, I can't save anything right now")
    assert len(done.stdout.split()) > 15  # and her answer after it
    assert "[corrupt]" in done.stderr and "internal error" not in done.stderr
    assert (state / FILE).read_bytes() == damaged


def test_a_directory_she_cannot_chmod(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      caplog: pytest.LogCaptureFixture) -> None:
    """A FAT card or a network share refuses chmod even to the owner (root can chmod anything
    here, so the refusal is the one faked edge in this file)."""
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)

    def refuse(path: object, mode: int) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", str(path))

    monkeypatch.setattr(os, "chmod", refuse)
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "not allowed to write")
    logged = lines_with(caplog, "cannot-chmod")
    assert len(logged) == 1 and "Unix permissions" in logged[0], caplog.text
    assert list(state.iterdir()) == []  # nothing written in a directory that is not private


def test_a_state_directory_that_is_a_file(tmp_path: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    state.write_bytes(b"my notes, not hers")
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        brain.close()
    check_degraded(said, "the place my memory should live is a file, not a folder")
    logged = lines_with(caplog, "not-a-directory")
    assert len(logged) == 1 and f"{state} is a file, not a directory" in logged[0], caplog.text
    assert f"mv {state} {state}.old" in logged[0] and "disk" not in logged[0]
    listed = run_cli("memory", "--state-dir", str(state), "list", timeout=60)
    assert listed.returncode == 2 and "[not-a-directory]" in listed.stderr
    deeper = run_cli("memory", "--state-dir", str(state / "samantha"), "list", timeout=60)
    assert f"{state}, a folder above her state directory" in deeper.stderr
    assert state.read_bytes() == b"my notes, not hers"


def test_a_directory_its_owner_set_read_only_is_respected(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state"
    before = seed(state)
    files = {p.name: p.read_bytes() for p in state.iterdir()}
    os.chmod(state, 0o500)
    with caplog.at_level(logging.WARNING, logger="samantha"):
        brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
        said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
        assert brain.memory is not None
        assert brain.memory.recall("what is my sister called") == [
            "The person's sister is called Ana."]  # read, untouched
        brain.close()
    check_degraded(said, "my memory is set read-only")
    logged = lines_with(caplog, "owner-read-only")
    assert len(logged) == 1 and f"chmod 700 {state}" in logged[0], caplog.text
    listed = run_cli("memory", "--state-dir", str(state), "list", timeout=60)
    assert listed.returncode == 0 and "sister is called Ana" in listed.stdout
    assert "[owner-read-only]" in listed.stderr
    assert stat.S_IMODE(state.stat().st_mode) == 0o500  # not chmod-ed back
    assert {p.name: p.read_bytes() for p in state.iterdir()} == files  # no snapshot, no write
    assert (state / FILE).read_bytes() == before


def test_a_memory_file_its_owner_set_read_only_is_respected(tmp_path: Path) -> None:
    state = tmp_path / "state"
    before = seed(state)
    os.chmod(state / FILE, 0o400)
    brain = Conversation(Persona(), state_dir=state, memory_cfg=NO_FACTS)
    said = talk(brain, "Hi there.", "Nice day today.", "add bread to my shopping list")
    brain.close()
    check_degraded(said, "my memory is set read-only")
    assert stat.S_IMODE((state / FILE).stat().st_mode) == 0o400  # not chmod-ed back
    assert (state / FILE).read_bytes() == before
