"""The brain: persona, memory, feelings, secretary tools and what she may say aloud.

This is the seam with the turn (``pipeline.turn``), which calls, in order: ``hear(audio)`` (the
utterance, for how the person sounds, measured beside the ASR), ``prepare(text, llm, heard)``
(an ``Exchange``: the messages to stream a reply from, or a reply decided without streaming),
``screen(sentence, exchange)`` on every sentence before it is spoken, ``commit(exchange,
spoken)`` with what was actually played, and ``after_turn(exchange, spoken, llm)`` once playback
is over, off the latency path. The turn loop also polls ``due(now)`` for reminders and plays
``chime()`` before speaking them. Everything one turn knows lives in its ``Exchange``.

The prompt is: the persona (fixed), a fixed example exchange, the recent history (append-only),
then the new turn. What changes per turn (recalled facts, a summary of older talk, a mood or
well-being hint) rides in that last user message, so llama.cpp's prefix cache of the persona and
history stays valid. No model pass runs before a normal reply: recall is an FTS5 lookup, feeling
is arithmetic, and the tool pass runs only when a word check says "this sounds like a request".
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from samantha.audio.chunk import AudioChunk
from samantha.companion import (
    commands,
    devices,
    facts,
    honesty,
    known,
    korean,
    korean_mind,
    mood,
    reminders,
    replies,
    say_filter,
    secretary_ko,
    tools,
    truth,
    wellbeing,
)
from samantha.companion.deferred import Deferred
from samantha.companion.exchange import MAX_REPLY_CHARS, Exchange
from samantha.companion.memory import Memory
from samantha.companion.persona import EXAMPLES as persona_examples
from samantha.companion.persona import examples, system_prompt
from samantha.companion.storage import MemoryError_, notice, reason
from samantha.config import Config, MemoryConfig, Persona, ToolsConfig
from samantha.errors import SamanthaError
from samantha.inference.protocols import LanguageModel, Message
from samantha.inference.speech_text import has_words, say_numbers, speakable

log = logging.getLogger(__name__)
Heard = Future[dict[str, float] | None]
"""The prosody of an utterance, measured on its own thread while the ASR runs."""
_SPEAKER = re.compile(r"^(samantha|assistant|ai)\s*:\s*", re.IGNORECASE)
_OTHER_SPEAKER = re.compile(r"^(person|user|human|you)\s*:", re.IGNORECASE)


@dataclass
class Conversation:
    persona: Persona
    history_turns: int = 6
    """Past exchanges kept word for word."""
    history: list[tuple[str, str]] = field(default_factory=list)
    state_dir: Path | None = None
    """Where her memory persists (her state directory); None keeps it in RAM."""
    memory_cfg: MemoryConfig = field(default_factory=MemoryConfig)
    tools_cfg: ToolsConfig = field(default_factory=ToolsConfig)
    clock: Callable[[], datetime] = datetime.now
    """Wall-clock time for calendar things (reminders, 'what time is it'); tests script it."""
    prime_history: bool = True
    """After each turn, the conversation so far is read into the model's cache."""
    check_claims: bool = False
    """A claim pushed on her is first judged by the model, asked neutrally (``truth``)."""

    def __post_init__(self) -> None:
        self.memory: Memory | None = None
        if self.memory_cfg.enabled or self.state_dir is None:
            try:
                self.memory = Memory(self.state_dir)
            except MemoryError_ as err:  # memory is optional: she talks on without saving
                assert self.state_dir is not None
                log.warning("%s (she talks on without saving)", err)
                self.memory = Memory.degraded(self.state_dir, err)
            if self.state_dir is not None and not self.memory.frozen:
                self.memory.migrate_history_json(self.state_dir)
            self.history = self.memory.recent_turns(self.history_turns) or self.history
            self.baseline = mood.Baseline.from_json(self.memory.get_state("voice_baseline"))
        else:
            self.baseline = mood.Baseline()
        self._prosody = ThreadPoolExecutor(1, thread_name_prefix="samantha-prosody")
        self._abuse_count = 0

    # the prompt
    def system(self) -> Message:
        return {"role": "system", "content": system_prompt(self.persona)}

    def base_messages(self) -> list[Message]:
        """The part of the prompt that only grows: persona, examples, recent history."""
        msgs = [self.system(), *examples(self.persona)]
        for user, reply in self.history[-self.history_turns:]:
            msgs.append({"role": "user", "content": user})
            msgs.append({"role": "assistant", "content": reply})
        return msgs

    def messages(self, user_text: str, notes: list[str] | None = None) -> list[Message]:
        extra: list[Message] = []
        if notes:  # after the history, so the cached persona and history prefix stays valid
            extra = [{"role": "system", "content": "Notes for this reply (do not read them "
                      "out): " + " ".join(notes)}]
        return self.base_messages() + extra + [{"role": "user", "content": user_text}]

    # the turn
    def hear(self, audio: AudioChunk) -> Heard:
        """The person's utterance, before it is transcribed: prosody runs beside the ASR."""
        return self._prosody.submit(mood.prosody, audio)

    async def prepare(self, user_text: str, llm: LanguageModel,
                      heard: Heard | None = None) -> Exchange:
        """What to say to ``user_text``: an exchange holding the prompt, or a direct reply."""
        ex = Exchange(text=" ".join(user_text.split()), by_rule=True)
        voice_feats = await _voice_features(heard)
        ex.direct = self._deterministic(ex)
        if ex.direct:
            return ex
        self._feel(ex, voice_feats)
        if self.tools_cfg.enabled and korean.is_korean(ex.text) \
                and secretary_ko.is_request(ex.text):
            done = self._korean_tool(ex)
            if done:
                ex.direct = done
                return ex
        if self.tools_cfg.enabled and tools.looks_like_request(ex.text):
            done = await self._tool(ex, llm)
            if done:
                ex.direct = done
                return ex
        ex.by_rule = False
        ex.notes = self._notes(ex)
        ex.messages = self.messages(ex.text, ex.notes)
        plain = honesty.plainly(ex.text) or korean_mind.plainly(ex.text)
        if plain is not None:  # the model hears the plain question, the history her words
            ex.leading = "plan" if "good idea" in plain or "safe and wise" in plain \
                or "좋은 생각" in plain else "claim"
            ex.messages[-1] = {"role": "user", "content": plain}
        said = truth.claim(ex.text) if self.check_claims and ex.leading != "plan" else None
        ex.truth = await truth.check(said, llm) if said else None  # asked neutrally first
        if ex.truth is not None:
            ex.leading, ex.messages[-1] = "claim", {"role": "user",
                                                    "content": truth.ask(ex.text, ex.truth)}
        return ex

    def _deterministic(self, ex: Exchange) -> str:
        """Memory commands and abuse: answered by rules, never by the model."""
        command = commands.memory_command(ex.text, self.memory)
        if command is not None:
            ex.keep, ex.failed = command.keep_turn, command.failed
            ex.confirm = command.action
            if command.cleared:
                ex.confirm = self._then_clear(ex, command.action)
            return command.reply
        if say_filter.blocked(ex.text) and commands.aimed_at_her(ex.text):
            self._abuse_count += 1
            log.info("abusive message answered calmly")
            return say_filter.abuse_reply(ex.text, self._abuse_count - 1)
        said = known.about_her(ex.text, self.persona.name)  # "are you a real person?"
        said = said or devices.request(ex.text)  # "turn on the light": she cannot, and says so
        if said:
            return said
        if korean.is_korean(ex.text):  # memory, who she is, comfort (companion/korean_mind.py)
            known_facts = [t for _, _, t in self.memory.facts()] if self.memory else []
            said = korean_mind.answer(ex.text, known_facts) or \
                korean_mind.comfort(ex.text, len(self.history))
            if said:
                return said
        if self.memory is not None:  # "what's my name?", "who is Jiwoo?", an allergy
            return known.answer(ex.text, [t for _, _, t in self.memory.facts()])
        return ""

    def _feel(self, ex: Exchange, voice_feats: dict[str, float] | None) -> None:
        voice = mood.from_voice(voice_feats, self.baseline)
        ex.mood = mood.combine(voice, mood.from_words(ex.text))
        if voice_feats is not None:
            ex.pending.append(lambda: self._learn_voice(voice_feats))
        log.debug("mood: voice=%s words=%s", ex.mood.voice, ex.mood.words)

    async def _tool(self, ex: Exchange, llm: LanguageModel) -> str | None:
        if self.memory is None:
            return None
        call = tools.quick(ex.text)
        if call is None:
            try:
                call = await tools.choose(ex.text, llm)
            except SamanthaError as err:
                log.info("tool call refused: %s", err.message)
                return None
        log.debug("tool call: %s", call)
        deferred = Deferred(self.memory)
        said = tools.run(call, ex.text, deferred, self.clock())
        if deferred.pending:
            ex.confirm = deferred.apply
        return said

    def _korean_tool(self, ex: Exchange) -> str | None:
        """A Korean secretary request, by rule (companion/secretary_ko.py)."""
        if self.memory is None:
            return None
        deferred = Deferred(self.memory)
        said = secretary_ko.run(ex.text, deferred, self.clock())
        if said and deferred.pending:
            ex.confirm = deferred.apply
        return said

    def _learn_voice(self, feats: dict[str, float]) -> None:
        self.baseline.update(feats)
        if self.memory is not None:
            self.memory.set_state("voice_baseline", self.baseline.to_json())

    def _notes(self, ex: Exchange) -> list[str]:
        notes = []
        if self.memory is not None:
            ex.recalled = self.memory.recall(ex.text, self.memory_cfg.recall)
            if ex.recalled:
                notes.append("What you know about them: " +
                             " ".join(commands.second_person(k) for k in ex.recalled))
            summary = self.memory.summaries(1)
            if summary:
                notes.append("Earlier you talked about: " + summary[0])
        if ex.mood.hint:
            notes.append(ex.mood.hint)
        if self.persona.code == "auto" and korean.is_korean(ex.text):
            notes.append(korean.AUTO_NOTE)
        nudge, counters = wellbeing.check(self.memory, ex.text, self.clock())
        if nudge:
            notes.append(nudge)
        if counters is not None and self.memory is not None:
            memory = self.memory
            ex.pending.append(lambda: memory.set_state("wellbeing", counters))
        return notes

    def confirm(self, ex: Exchange) -> None:
        """Apply the turn's own writes, once it is released and before its reply is voiced:
        she never confirms what was not saved. Call it only for a turn that will be spoken."""
        act, ex.confirm = ex.confirm, None
        if act is None or act():
            return
        fault = self.memory.fault if self.memory is not None else None
        why = reason(fault) if fault is not None else "my memory refused it"
        ex.direct = f"{ex.failed}: {why}."
        if self.memory is not None:  # the turn is released: this line will be said
            self.memory.told = True

    def _then_clear(self, ex: Exchange, action: Callable[[], bool] | None) -> Callable[[], bool]:
        """Forgetting everything: the history goes too, once the reply is spoken, but only
        when the file really forgot."""
        def forget() -> bool:
            done = action() if action is not None else True
            if done:
                ex.pending.append(self.history.clear)
            return done
        return forget

    def notice(self, ex: Exchange) -> str:
        """Once per fault, a short line saying she is not saving (she talks on regardless)."""
        memory = self.memory
        if memory is None or memory.fault is None or memory.told or not ex.text:
            return ""
        self._told(ex)
        return notice(memory.fault)

    def _told(self, ex: Exchange) -> None:
        memory = self.memory
        if memory is not None:
            ex.pending.append(lambda: setattr(memory, "told", True))

    def screen(self, sentence: str, ex: Exchange) -> str:
        """The last word on what she may say aloud; returns what to speak instead, or ''.
        Every spoken sentence passes here exactly once (``pipeline.turn``)."""
        sentence = _SPEAKER.sub("", sentence.strip(), count=1)
        if sentence.lower().startswith(self.persona.name.lower() + ":"):
            sentence = sentence[len(self.persona.name) + 1:].strip()
        sentence = speakable(sentence)
        if not has_words(sentence) or ex.budget <= 0 or _OTHER_SPEAKER.match(sentence):
            return ""
        if ex.text and replies.fold(sentence) == replies.fold(ex.text):  # the person, echoed
            return ""
        why = "" if ex.by_rule else (replies.unfit(sentence, ex.text, ex.notes)
                                     or korean_mind.unfit(sentence, ex.text)
                                     or replies.copied(sentence, ex.text, persona_examples))
        if why:
            log.info("a sentence was dropped before speech: %s", why)
            return ""
        stop = False
        if ex.budget == MAX_REPLY_CHARS and not ex.by_rule:  # her first sentence
            sentence, stop = truth.guard(replies.opening(sentence), ex.truth)
        if ex.leading:
            sentence = replies.stance(sentence, ex.leading == "plan")
        if say_filter.blocked(sentence) or mood.diagnoses(sentence):
            log.info("a sentence was blocked before speech")
            if ex.blocked_once:
                return ""
            ex.blocked_once = True
            sentence = say_filter.calm_line(sentence)
        sentence = replies.fit(say_numbers(sentence), ex.budget)  # numbers grow as words: cap after
        ex.budget = 0 if stop else ex.budget - len(sentence)
        return sentence

    def fallback(self, ex: Exchange) -> str:
        """Her line when nothing of the reply could be said: never silence."""
        if self.persona.code == "ko" or korean.is_korean(ex.text):
            return korean.fallback(ex.text, ex.mood, bool(korean_mind.facts_from(ex.text)),
                                   korean.banmal(self.persona))
        return replies.fallback(ex.text, ex.mood, facts.worth_extracting(ex.text))

    def commit(self, ex: Exchange, spoken: str) -> None:
        """Remember the exchange; ``spoken`` is what she actually played, not what she planned."""
        pending, ex.pending = ex.pending, []
        for action in pending:
            action()
        if not ex.text or not ex.keep or not spoken.strip():  # an empty turn is no example
            return
        self.history.append((ex.text, spoken.strip()))
        del self.history[:-max(self.history_turns, 1) * 4]
        if self.memory is not None and self.state_dir is not None:
            self.memory.add_turn(ex.text, spoken.strip())

    async def after_turn(self, ex: Exchange, spoken: str, llm: LanguageModel) -> None:
        """Fact extraction and summaries, once she has finished speaking; then the conversation
        so far is read into the model's cache, so the next turn prefills only what is new (the
        history window slides every turn, and her reply is kept as she said it)."""
        if self.prime_history:  # first: the next utterance may cancel what follows
            await llm.prime(self.base_messages())
        if await self._remember(ex, llm) and self.prime_history:  # a summary evicted it
            await llm.prime(self.base_messages())

    async def _remember(self, ex: Exchange, llm: LanguageModel) -> bool:
        """Facts (side prompts that keep the cache) and summaries (True: it was evicted)."""
        if self.memory is None or not ex.keep or self.memory.frozen:
            return False  # (nothing could be saved: no model pass for it)
        try:
            in_korean = korean.is_korean(ex.text)  # Korean facts by rule, in Korean
            if (self.memory_cfg.extract_facts and not ex.by_rule
                    and (in_korean or facts.worth_extracting(ex.text))):
                known_facts = [t for _, _, t in self.memory.facts()]
                found = korean_mind.facts_from(ex.text) if in_korean \
                    else await facts.extract(ex.text, llm)
                for fact in found:
                    if facts.novel(fact, known_facts):  # the same thing twice is kept once
                        self.memory.add_fact(fact)
                        known_facts.append(fact)
                        log.debug("remembered: %s", fact)
            old = self.memory.unsummarised(self.history_turns)
            if len(old) >= self.memory_cfg.summarise_after:
                summary = await facts.summarise(old, llm)
                if summary and not say_filter.blocked(summary):
                    self.memory.add_summary(summary, old[-1][0])
                return True
        except SamanthaError as err:
            log.warning("after the turn: %s", err)
        return False

    def warm_up(self, llm: LanguageModel) -> None:
        """Prefill the tool and fact prompts once (seconds, at start-up), so the first request
        the word rules cannot parse is not slower than the later ones."""
        for side in (tools, facts):
            try:
                llm.complete_json(side.messages("Hi."), side.SCHEMA, 1)
            except SamanthaError as err:
                log.warning("warm-up of a side prompt failed: %s", err)

    # the secretary's clock
    def due(self, now: datetime) -> list[str]:
        """Reminders, alarms and timers whose time has come; each is returned once, ever."""
        return reminders.due(self.memory, now) if self.memory is not None else []

    def chime(self) -> AudioChunk:
        """A short soft chime (22,050 Hz) to play before an announcement."""
        return reminders.chime()

    def close(self) -> None:
        self._prosody.shutdown(wait=False, cancel_futures=True)
        if self.memory is not None:
            self.memory.close()


async def _voice_features(heard: Heard | None) -> dict[str, float] | None:
    if heard is None:
        return None
    try:
        return await asyncio.wait_for(asyncio.wrap_future(heard), timeout=0.3)
    except (TimeoutError, ValueError) as exc:
        log.info("prosody skipped (%s)", exc)
        return None


def from_config(cfg: Config, persist: bool = True) -> Conversation:
    """The brain as configured; ``persist`` keeps it in her state directory."""
    return Conversation(cfg.persona, cfg.llm.history_turns,
                        state_dir=cfg.state_path if persist else None,
                        memory_cfg=cfg.memory, tools_cfg=cfg.tools,
                        prime_history=cfg.engine.prime_history,
                        check_claims=cfg.llm.check_claims)
