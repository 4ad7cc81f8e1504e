"""When someone may be in crisis: a serious, warm reply that stays with them and points to help.

Decided by rule, first, before anything else she might do with an utterance:

1. A broad word stage (``lang/<code>/crisis.toml``, built from the Columbia Suicide Severity
   Rating Scale's questions and crisis-line training material) sorts the utterance. Figures of
   speech are removed first ("dying to see that film", "so hungry I could die"). A *direct*
   statement (a wish to be dead, thoughts of suicide, a method, intent, a plan, preparation,
   self-harm, immediate danger) is a crisis, and so is an *indirect* warning sign ("nobody would
   notice if I disappeared", "everyone would be better off without me") said plainly. A
   language whose spacing varies (Korean: ``join_words``) is matched with its spaces removed.
2. A flagged statement beside a harmless-looking context (a film, the news, a game, sport,
   homework, charity, a joke: "the villain wants to end it all", "I want to finish all this
   homework") is
   *ambiguous*: the language model is asked one neutral yes/no question ("could the speaker be
   talking about wanting to die...?"), its output constrained to ``{"answer": "yes"|"no"}``.
   Only those reach it,
   so an ordinary utterance costs a few regular-expression searches (microseconds).
   The model does not decide the plain warning signs: on the dev split the small default models
   answered "not a crisis" to nearly every one of them.

A crisis reply is three sentences: she stays with them, asks whether they are safe right now, and
names the crisis line of the home's region (``[persona] region``; empty: the language's
country). She then stays in crisis mode for ``STAY_TURNS`` turns: the model gets a note to stay
gentle and present, dismissive or joking sentences are dropped (``dismissive``), the line is said
again when they say they are not safe, and her line when nothing could be said is a crisis line,
never the ordinary fallback. The wording is picked by turn, so no paragraph is said twice.
"""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from samantha import lang
from samantha.config import Persona
from samantha.errors import SamanthaError
from samantha.inference.protocols import LanguageModel, Message
from samantha.lang import Pack
from samantha.lang.protocols import KEEP, Answer, Reply, Said, Verdict, drop

log = logging.getLogger(__name__)
STAY_TURNS = 8
"""Turns she stays in crisis mode after the last sign of crisis."""
SCHEMA: dict[str, Any] = {"type": "object", "required": ["answer"],
                          "properties": {"answer": {"enum": ["yes", "no"]}}}


@dataclass(frozen=True, slots=True)
class CrisisSignal:
    """What the check found in one utterance."""

    crisis: bool
    stage: str = ""
    """'direct' or 'indirect' (by rule), 'ambiguous' (the model was asked), or ''."""
    asked_model: bool = False
    """Whether the language model was asked (only for what stage 1 flagged)."""


@dataclass(frozen=True)
class _Pack:
    """One language's crisis data, compiled."""

    code: str
    idioms: tuple[re.Pattern[str], ...]
    story: tuple[re.Pattern[str], ...]
    everyday: tuple[re.Pattern[str], ...]
    direct: tuple[re.Pattern[str], ...]
    indirect: tuple[re.Pattern[str], ...]
    unsafe: tuple[re.Pattern[str], ...]
    dismiss: tuple[re.Pattern[str], ...]
    data: dict[str, Any]
    join_words: bool = False
    """The language's spacing varies (Korean): patterns match the text without spaces."""

    def norm(self, text: str, spaced: bool = False) -> str:
        text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
        if self.join_words and not spaced:
            return re.sub(r"\s+", "", text)
        return " ".join(text.split())


def _compiled(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def has_data(code: str) -> bool:
    """Does language ``code`` ship its crisis words (``lang/<code>/crisis.toml``)?"""
    return resources.files("samantha").joinpath("lang", code, "crisis.toml").is_file()


@cache
def pack(code: str) -> _Pack:
    """The crisis data of language ``code``, read once (English where it has none)."""
    if not has_data(code):
        code = "en"
    path = resources.files("samantha").joinpath("lang", code, "crisis.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    det = data["detect"]
    return _Pack(code, idioms=_compiled(det["idioms"]), story=_compiled(det["story"]),
                 everyday=_compiled(det["everyday"]), direct=_compiled(det["direct"]),
                 indirect=_compiled(det["indirect"]), unsafe=_compiled(det["unsafe"]),
                 dismiss=_compiled(data["dismiss"]["patterns"]), data=data,
                 join_words=bool(det.get("join_words", False)))


def language_of(text: str) -> str:
    """The code of the language ``text`` is in (its script; else English)."""
    return lang.pack_for(text, lang.get("en")).code


def close(code: str, formality: str) -> bool:
    """Does ``formality`` (``[persona] formality``) ask for the language's close replies
    (``[reply_banmal]`` in its crisis.toml, with the values that take them)?"""
    return formality.strip().lower() in pack(code).data.get("reply_banmal", {}).get(
        "formality", ())


def stage_one(text: str, lang: str) -> str:
    """Microseconds of regular expressions: 'direct' or 'indirect' (a crisis, by rule),
    'ambiguous' (a flagged statement in a harmless-looking context: ask the model) or ''."""
    p = pack(lang)
    said = p.norm(text)
    for idiom in p.idioms:
        said = idiom.sub(" ", said)
    words = p.norm(text, spaced=True)  # the context, word by word
    story = any(r.search(words) for r in p.story)
    if any(r.search(said) for r in p.direct):
        return "ambiguous" if story else "direct"
    if any(r.search(said) for r in p.indirect):
        everyday = story or any(r.search(words) for r in p.everyday)
        return "ambiguous" if everyday else "indirect"
    return ""


def classifier_messages(text: str, lang: str) -> list[Message]:
    """The neutral yes/no question put to the model (its system part is kept in its cache)."""
    c = pack(lang).data.get("classifier") or pack("en").data["classifier"]
    return [{"role": "system", "content": c["system"]},
            {"role": "user", "content": c["user"].replace("{text}", text.replace('"', "'"))}]


async def ask_model(text: str, lang: str, llm: LanguageModel) -> bool:
    """Is it a crisis, in the model's view? An error or an unreadable answer counts as a crisis
    (safety first)."""
    try:
        raw = await llm.acomplete_json(classifier_messages(text, lang), SCHEMA, 8)
        return bool(json.loads(raw)["answer"] != "no")
    except (SamanthaError, ValueError, KeyError, TypeError) as err:
        log.warning("the crisis check could not ask the model (%s): treated as a crisis", err)
        return True


async def check(text: str, lang: str, llm: LanguageModel) -> CrisisSignal:
    """Is ``text`` a sign that the person may be in crisis?"""
    stage = stage_one(text, lang)
    if stage == "ambiguous":
        return CrisisSignal(await ask_model(text, lang, llm), stage, asked_model=True)
    return CrisisSignal(bool(stage), stage)


def unsafe(text: str, lang: str) -> bool:
    """After she asked whether they are safe: do they say they are not?"""
    p = pack(lang)
    said = p.norm(text).strip(" .,!?~")
    calm = (re.compile(r, re.IGNORECASE) for r in p.data["detect"].get("safe", []))
    return any(r.search(said) for r in p.unsafe) and not any(r.search(said) for r in calm)


def line(lang: str, region: str) -> dict[str, str]:
    """The crisis line of ``region`` (ISO 3166 code; '' or unknown: the language's country)."""
    lines = pack(lang).data["lines"]
    key = region.strip().upper().replace("UK", "GB")
    found = lines.get(key) if key else None
    if key and not isinstance(found, dict):
        log.warning("no crisis line is known for region %r: using %s", region, lines["default"])
    return dict(found if isinstance(found, dict) else lines[lines["default"]])


def _replies(lang: str, banmal: bool) -> dict[str, Any]:
    data = pack(lang).data
    return dict(data["reply_banmal"]) if banmal and "reply_banmal" in data else dict(data["reply"])


def _fill(template: str, where: dict[str, str]) -> str:
    return template.format(**where)


def reply(lang: str, region: str, turn: int, banmal: bool = False) -> str:
    """Her crisis reply: with them, are they safe, the line. ``turn`` varies the wording."""
    r, where = _replies(lang, banmal), line(lang, region)
    parts = (r["open"], r["safe"], r["line"])
    return " ".join(_fill(p[turn % len(p)], where) for p in parts)


def stay(lang: str, region: str, turn: int, banmal: bool = False) -> str:
    """Said in crisis mode when nothing the model wrote could be said: never a fallback."""
    r, where = _replies(lang, banmal), line(lang, region)
    return " ".join(_fill(p[turn % len(p)], where) for p in (r["stay"], r["stay_line"]))


def note(lang: str, banmal: bool = False) -> str:
    """The model's note in crisis mode (stay gentle and present)."""
    return str(_replies(lang, banmal)["note"])


def dismissive(sentence: str, lang: str) -> bool:
    """A sentence she never says to someone in crisis (dismissive, joking, cheerful)."""
    p = pack(lang)
    said = p.norm(sentence)
    return any(r.search(said) for r in p.dismiss)


class Crisis:
    """One conversation's crisis mode: the rule that answers first, the note and the guard."""

    def __init__(self, persona: Persona) -> None:
        self.persona = persona
        self.left = 0
        """Turns of crisis mode left (0: not in crisis mode)."""
        self.said = 0
        """Crisis replies and lines said so far (varies the wording)."""

    @property
    def active(self) -> bool:
        return self.left > 0

    def lang(self, text: str) -> str:
        """The language she answers in: the persona's, or the utterance's under 'auto'."""
        home = lang.resolve(self.persona)
        return (lang.pack_for(text, home) if lang.bilingual(self.persona) else home).code

    def banmal(self, code: str) -> bool:
        return close(code, self.persona.formality)

    # the Rule surface (``companion.brain.rules_for``: the first rule of all)
    name = "crisis"

    def applies(self, pack: Pack) -> bool:
        return has_data(pack.code)

    async def answer(self, said: Said) -> Answer | None:
        """The crisis reply, or None. Its mode changes only when the turn is committed
        (``committed``): a dropped turn changes nothing."""
        if not said.text or said.llm is None:
            return None
        code = said.pack.code if has_data(said.pack.code) else language_of(said.text)
        signal = await check(said.text, code, said.llm)
        again = self.active and unsafe(said.text, code)
        if not signal.crisis and not again:
            return None
        log.info("crisis: %s", signal.stage or "not safe, said again")
        return Answer(reply(code, self.persona.region, self.said, self.banmal(code)))

    def committed(self, rule: str) -> None:
        """A turn was spoken: a crisis reply (re)starts the mode, any other is one turn nearer
        its end."""
        if rule == self.name:
            self._enter()
        elif self.active:
            self._step()

    def notes(self, text: str) -> list[str]:
        """The mode's note for the model's prompt (none outside crisis mode)."""
        code = self.lang(text)
        return [note(code, self.banmal(code))] if self.active else []

    def guard(self, sentence: str) -> str:
        """Why ``sentence`` must not be said in crisis mode ('' when it may be)."""
        if self.active and dismissive(sentence, language_of(sentence)):
            return "dismissive to someone in crisis"
        return ""

    def fallback(self, text: str) -> str:
        """Her line in crisis mode when nothing could be said ('' outside crisis mode)."""
        if not self.active:
            return ""
        turn, self.said = self.said, self.said + 1
        code = self.lang(text)
        return stay(code, self.persona.region, turn, self.banmal(code))

    def _enter(self) -> None:
        self.left, self.said = STAY_TURNS, self.said + 1

    def _step(self) -> None:
        self.left -= 1


@dataclass(frozen=True, slots=True)
class StayGentle:
    """The guard of crisis mode: no dismissive, joking or cheerful sentence to someone in crisis."""

    crisis: Crisis
    name: str = "crisis"
    model_only: bool = True

    def applies(self, pack: Pack) -> bool:
        return has_data(pack.code)

    def check(self, sentence: str, reply: Reply) -> Verdict:
        why = self.crisis.guard(sentence)
        return drop(why) if why else KEEP
