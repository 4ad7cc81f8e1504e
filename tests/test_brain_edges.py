"""Small edges of the brain: the reply cap after numbers become words, a time phrase that
used to stall the event loop, and typed input she cannot take (not UTF-8, 100 KB)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from conftest import REPO
from samantha.companion import brain as brain_module
from samantha.companion.conversation import Conversation
from samantha.companion.exchange import MAX_REPLY_CHARS
from samantha.companion.memory import Memory
from samantha.config import Persona
from samantha.lang import Pack, script
from samantha.lang.en import secretary as tools
from samantha.lang.protocols import Verdict, drop
from samantha.pipeline.turn import typed
from samantha.testing.fakes import ScriptedLanguageModel

NOW = datetime(2026, 11, 22, 14, 0)


def test_numbers_said_as_words_stay_within_the_reply_cap() -> None:
    numbers = ", ".join(str(987_654_321 + 1_111_111 * i) for i in range(12))
    llm = ScriptedLanguageModel([f"Your numbers are {numbers} and 123456789."])
    reply = asyncio.run(typed("Read me the numbers.", llm, Conversation(Persona())))
    assert 100 < len(reply) <= MAX_REPLY_CHARS, (len(reply), reply)
    assert reply.startswith("Your numbers are nine hundred") and reply.endswith(".")
    assert not any(c.isdigit() for c in reply)


def test_a_time_phrase_of_repeated_words_is_a_quick_clear_answer(tmp_path: Path) -> None:
    text = "remind me in " + "next " * 200 + "to call Ana"
    call = tools.quick(text)
    assert call is not None and call["tool"] == "reminder"
    start = time.perf_counter()
    said = tools.run(call, text, Memory(tmp_path), NOW)
    took = time.perf_counter() - start
    assert said is not None and said.startswith("When should that be?")
    assert took < 1.0, f"{took:.2f} s on the event loop (it was 2-7 s)"  # a stall, not a timing


@pytest.mark.slow
def test_typed_input_she_cannot_take_is_named_and_the_rest_is_answered(tmp_path: Path,
                                                                        models_ready: None) -> None:
    lines = b"hello \xff\xfe there\n" + b"a" * 100_000 + b"\nWhat is two plus two?\n"
    proc = subprocess.run([sys.executable, "-m", "samantha", "chat", "--state-dir",
                           str(tmp_path)], input=lines, capture_output=True, timeout=300,
                          cwd=REPO)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "chat error [not-utf8]: line 1 is not valid UTF-8" in err and "iconv" in err
    assert "chat error [too-long]: line 2 is 100,000 characters" in err
    assert "shorten the history" not in err and "internal error" not in err
    assert len(proc.stdout.decode().split()) >= 2  # line 3 answered


@pytest.mark.parametrize(("language", "asked", "model", "said"), [
    ("ko", "5G가 코로나를 퍼뜨렸다면서요?", "네, действительно. 그건 사실이 아니에요.",
     "네. 그건 사실이 아니에요."),  # what she meant, said: only the foreign clause goes
    ("ko", "5G가 코로나를 퍼뜨렸다면서요?", "그건 неправда 사실이 아니에요. 정말이에요.",
     "정말이에요."),  # a foreign word inside a clause: the sentence goes
    ("ko", "오늘 뭐 먹지?", "김치찌개 어때요? 这个很好吃。 따뜻하고 맛있어요.",
     "김치찌개 어때요? 따뜻하고 맛있어요."),
    ("ko", "인공지능이 뭐야?", "인공지능(人工知能)은 배우는 컴퓨터예요.",
     "인공지능은 배우는 컴퓨터예요."),
    ("ko", "오늘 뭐 먹지?", "Kimchi stew is good. 따뜻하고 맛있어요.",
     "Kimchi stew is good. 따뜻하고 맛있어요."),  # English her Korean setup speaks, with Piper
    ("English", "What should I eat?", "Maybe some soup, очень вкусно. Phở is warm.",
     "Maybe some soup. Phở is warm."),
    ("English", "What should I eat?", "Soup is warm, 很好！", "Soup is warm!"),
    ("English", "How much is it?", "It is 3,000 won at 7:30, очень дешево.",
     "It is three thousand won at seven thirty."),  # a number's comma is not a clause's
    ("English", "What should I eat?", "Soup is good. 김치찌개 어때요?", "Soup is good."),
    ("auto", "What should I eat?", "Soup is good. 김치찌개 어때요?",
     "Soup is good. 김치찌개 어때요?"),  # she speaks both: a Korean sentence has a voice
    ("English", "What is pi?", "π is about three point one four.",
     "π is about three point one four."),
    ("English", "5G가 코로나를 퍼뜨렸다면서요?", "아니요, 사실이 아니에요. Это миф.",
     "아니요, 사실이 아니에요."),  # a Korean turn is answered in Korean whatever her setup
])
def test_letters_no_voice_of_hers_can_read_are_not_said(language: str, asked: str, model: str,
                                                        said: str) -> None:
    llm = ScriptedLanguageModel([model])
    assert asyncio.run(typed(asked, llm, Conversation(Persona(language=language)))) == said


@pytest.mark.parametrize("language", ["ko", "English", "auto"])
def test_a_reply_all_in_another_script_is_her_own_line_not_silence(language: str) -> None:
    llm = ScriptedLanguageModel(["Да, конечно. 是的。"])
    reply = asyncio.run(typed("오늘 뭐 먹지?", llm, Conversation(Persona(language=language))))
    assert reply and not script.unreadable(reply, ("hangul",))
    assert script.has(reply, "hangul")


@dataclass(frozen=True)
class _DropsAll:
    name: str = "drops all"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return True

    def check(self, sentence: str, reply: object) -> Verdict:
        return drop("every sentence")


def test_no_guard_on_the_models_words_can_leave_her_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(brain_module, "guards_for", lambda pack, brain: (_DropsAll(),))
    llm = ScriptedLanguageModel(["Soup is good."])
    reply = asyncio.run(typed("What should I eat?", llm, Conversation(Persona())))
    assert reply and "Soup" not in reply  # her own line: the guard judged only the model's
