"""Her memory: private files, recall, real forgetting, migrations, a full disk and a kill -9."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from samantha.companion.conversation import Conversation
from samantha.companion.exchange import Exchange
from samantha.companion.memory import FILE, MIGRATIONS, Memory
from samantha.config import Persona


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private_and_journalled(tmp_path: Path) -> None:
    state = tmp_path / "state"
    mem = Memory(state)
    mem.add_fact("The person's sister is called Ana.")
    assert mode(state) == 0o700
    for p in state.iterdir():
        assert mode(p) == 0o600, p
    assert mem.read("PRAGMA journal_mode")[0][0] == "wal"
    assert mem.version == len(MIGRATIONS)


def test_recall_finds_the_relevant_fact(tmp_path: Path) -> None:
    mem = Memory(tmp_path)
    for fact in ("The person's sister is called Ana.", "The person is allergic to peanuts.",
                 "The person works as a nurse.", "The person's dog is called Biscuit."):
        mem.add_fact(fact)
    assert mem.recall("what is my sister called?")[0] == "The person's sister is called Ana."
    assert "The person is allergic to peanuts." in mem.recall("can I eat this peanut bar?")
    assert mem.recall("hello there") == []
    assert mem.recall('"; DROP TABLE facts; --') == []  # FTS syntax is quoted, never injected
    assert len(mem.facts()) == 4


def test_recalled_facts_go_in_the_last_message_not_the_persona(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.memory is not None
    brain.memory.add_fact("The person is allergic to peanuts.")
    prepared = asyncio.run(brain.prepare("Tell me about peanut farming.", None))  # type: ignore[arg-type]
    system, notes, last = prepared.messages[0], prepared.messages[-2], prepared.messages[-1]
    assert system == brain.system() and "peanut" not in system["content"]
    assert prepared.messages[:-2] == brain.base_messages()  # the cached prefix is untouched
    assert notes["role"] == "system" and "you are allergic to peanuts" in notes["content"].lower()
    assert last == {"role": "user", "content": "Tell me about peanut farming."}
    # asked whether to eat it, she warns from memory, by rule, every time
    warned = asyncio.run(brain.prepare("Should I try the peanut curry?", None))  # type: ignore[arg-type]
    assert "allergic to peanuts" in warned.direct and not warned.messages


def test_a_new_brain_on_the_same_state_dir_remembers(tmp_path: Path) -> None:
    first = Conversation(Persona(), state_dir=tmp_path)
    first.commit(Exchange(text="I love hiking in the rain."), "That sounds lovely.")
    first.close()
    second = Conversation(Persona(), state_dir=tmp_path)
    assert second.history[-1] == ("I love hiking in the rain.", "That sounds lovely.")
    assert second.base_messages()[-2]["content"] == "I love hiking in the rain."


def test_forget_everything_removes_the_words_from_the_files(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.memory is not None
    secret = "Zanzibarqux"
    brain.memory.add_fact(f"The person's password hint is {secret}.")
    brain.commit(Exchange(text=f"my hint is {secret}"), "Got it.")
    reply = asyncio.run(brain.prepare("Forget everything.", None))  # type: ignore[arg-type]
    assert "forgotten everything" in reply.direct
    brain.confirm(reply)  # the turn is released: its writes are applied before it is voiced
    brain.commit(reply, reply.direct)  # not stored: it was about forgetting
    for table in ("facts", "turns", "summaries", "notes", "reminders"):
        assert brain.memory.read(f"SELECT count(*) FROM {table}")[0][0] == 0
    brain.close()
    for p in tmp_path.iterdir():
        assert secret.encode() not in p.read_bytes(), p
    again = asyncio.run(Conversation(Persona(), state_dir=tmp_path)
                        .prepare("What do you remember about me?", None))  # type: ignore[arg-type]
    assert again.direct.startswith("Nothing yet")


def test_forget_that_removes_the_last_fact(tmp_path: Path) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.memory is not None
    brain.memory.add_fact("The person likes jazz.")
    brain.memory.add_fact("The person is afraid of spiders.")
    reply = asyncio.run(brain.prepare("Please forget that.", None))  # type: ignore[arg-type]
    assert reply.direct == "Okay, I've forgotten that."
    brain.confirm(reply)
    assert reply.direct == "Okay, I've forgotten that."
    brain.commit(reply, reply.direct)
    assert [t for _, _, t in brain.memory.facts()] == ["The person likes jazz."]
    said = asyncio.run(brain.prepare("what do you remember about me", None)).direct  # type: ignore[arg-type]
    assert "You like jazz." in said


def test_old_history_json_is_migrated_once(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text(json.dumps({"turns": [["hi", "hello"]]}))
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.history == [("hi", "hello")]
    assert not (tmp_path / "history.json").exists()
    brain.close()
    assert Conversation(Persona(), state_dir=tmp_path).history == [("hi", "hello")]


def test_schema_migrates_from_an_older_version(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / FILE)
    for statement in MIGRATIONS[0].split(";\n"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO facts(at, text) VALUES ('2026-01-01', 'The person sings.')")
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    mem = Memory(tmp_path)
    assert mem.version == len(MIGRATIONS)
    assert mem.recall("do I sing?") == ["The person sings."]
    assert mem.read("SELECT count(*) FROM reminders")[0][0] == 0


def test_a_corrupt_file_is_one_clear_error(tmp_path: Path) -> None:
    garbage = b"this is not a database" * 100
    (tmp_path / FILE).write_bytes(garbage)
    from samantha.errors import SamanthaError

    with pytest.raises(SamanthaError) as err:
        Memory(tmp_path)
    assert err.value.code == "corrupt" and "samantha memory repair" in err.value.fix
    assert "\n" not in str(err.value)
    assert (tmp_path / FILE).read_bytes() == garbage  # never moved aside on its own


def test_disk_full_does_not_stop_her(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     caplog: pytest.LogCaptureFixture) -> None:
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.memory is not None

    def full(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(brain.memory, "tx", full)
    with caplog.at_level(logging.WARNING, logger="samantha.companion.memory"):
        for i in range(5):
            brain.commit(Exchange(text=f"turn {i}"), "ok")
            brain.memory.add_fact(f"fact {i}")
    warnings = [r for r in caplog.records if "memory not saved" in r.getMessage()
                and "[disk-full]" in r.getMessage()]
    assert len(warnings) == 1  # rate-limited
    assert brain.history[-1] == ("turn 4", "ok")  # the conversation goes on in RAM
    reply = asyncio.run(brain.prepare("How are you today?", None))  # type: ignore[arg-type]
    assert reply.messages[-1]["content"].endswith("How are you today?")


def test_kill_9_during_writes_loses_nothing_confirmed(tmp_path: Path) -> None:
    writer = textwrap.dedent(f"""
        import sys
        from samantha.companion.memory import Memory
        mem = Memory({str(tmp_path)!r})
        i = 0
        while True:
            mem.add_fact(f"confirmed fact number {{i}}")
            print(i, flush=True)
            i += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    confirmed = -1
    while confirmed < 40:
        line = proc.stdout.readline()
        assert line, "the writer died"
        confirmed = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    texts = {t for _, _, t in Memory(tmp_path).facts()}
    missing = [i for i in range(confirmed + 1) if f"confirmed fact number {i}" not in texts]
    assert missing == []


def test_a_dropped_speculative_turn_changes_nothing(tmp_path: Path) -> None:
    """The engine may prepare a turn and drop it when the person goes on speaking: only a
    committed (spoken) reply may write, so half a sentence never forgets or double-books."""
    brain = Conversation(Persona(), state_dir=tmp_path)
    assert brain.memory is not None
    brain.memory.add_fact("The person likes jazz.")
    for text in ("Forget everything", "remind me in 10 minutes to call Ana",
                 "add eggs to my shopping list"):
        assert asyncio.run(brain.prepare(text, None)).direct  # type: ignore[arg-type]
    assert [t for _, _, t in brain.memory.facts()] == ["The person likes jazz."]
    assert brain.memory.read("SELECT count(*) FROM reminders") == [(0,)]
    assert brain.memory.read("SELECT count(*) FROM notes") == [(0,)]
    said = asyncio.run(brain.prepare("add eggs to my shopping list", None))  # type: ignore[arg-type]
    brain.confirm(said)  # released: written before its reply is voiced
    brain.commit(said, said.direct)
    assert brain.memory.read("SELECT list, text FROM notes") == [("shopping", "eggs")]
