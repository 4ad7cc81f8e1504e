"""The shapes every language pack fills, and the typed results of the brain's decisions.

A **rule** answers an utterance without the language model (``Answer``, or None to pass); a
**guard** judges one sentence the model wrote (``Verdict``: keep it, rewrite it, replace it with
a stand-in line, or drop it). The brain (``companion.brain``) runs them as two ordered lists;
a language pack adds its own and supplies the words the shared ones look for (``Words``,
``Phrases``). These types live here, below ``companion``, so a pack can build them without
importing the brain (imports run one way: companion → lang → inference).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from samantha.config import Persona
from samantha.errors import SamanthaError
from samantha.inference.protocols import LanguageModel

if TYPE_CHECKING:
    from samantha.lang import Pack


class TimeError_(SamanthaError):
    """A spoken time that names no moment, or one already past (every pack's time parser)."""

    stage = "time"


class Store(Protocol):
    """Where a rule's reads go now and its writes wait for the turn (``companion.Deferred``)."""

    def read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...

    def write(self, sql: str, args: tuple[Any, ...] = ()) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Said:
    """What a rule may read of the turn: the utterance and what she knows around it."""

    text: str
    """What the person said, whitespace folded."""
    pack: Pack
    """The utterance's language (chosen once, in ``Conversation.prepare``)."""
    persona: Persona
    facts: tuple[str, ...] = ()
    """What she knows about the person (her memory's facts, oldest first)."""
    turns: int = 0
    """Exchanges so far in this conversation (varies lines said by rule)."""
    now: datetime = field(default_factory=datetime.now)
    """Wall-clock time, for calendar things; tests script it."""
    store: Store | None = None
    """Her memory: reads now, writes held until the turn is released (then the brain applies
    them before the answer is voiced); None: she keeps nothing."""
    llm: LanguageModel | None = None
    """For a rule that asks the model a side question (the secretary's tool choice)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A rule's reply, said instead of the model's."""

    text: str
    keep: bool = True
    """Whether the exchange enters the history (not "forget everything")."""
    confirm: Callable[[], bool] | None = None
    """The rule's writes, applied once the turn is released and before ``text`` is voiced;
    False: they could not be saved and she says ``failed`` instead."""
    failed: str = ""
    """Said with the reason when ``confirm`` fails ('' uses the pack's phrase)."""
    clears: bool = False
    """The conversation history goes too, once the writes are saved."""


Action = Literal["keep", "rewrite", "replace", "drop"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A guard's judgement of one sentence.

    ``keep``: unchanged. ``rewrite``: ``text`` is the sentence reworded (later guards see it).
    ``replace``: ``text`` is a stand-in line, said at most once per reply (a second one drops
    the sentence). ``drop``: nothing of it is said."""

    action: Action
    text: str = ""
    why: str = ""


KEEP = Verdict("keep")


def drop(why: str) -> Verdict:
    return Verdict("drop", "", why)


def judged(before: str, after: str, why: str) -> Verdict:
    """``rewrite`` when ``after`` differs from ``before``, else ``keep``."""
    return KEEP if after == before else Verdict("rewrite", after, why)


class Reply(Protocol):
    """What a guard may read of the reply being said (``companion.Exchange`` fills it)."""

    @property
    def text(self) -> str:
        """What the person said ('' for an announcement)."""

    @property
    def pack(self) -> Pack: ...

    @property
    def notes(self) -> list[str]:
        """The notes the model was given (never to be read out)."""

    @property
    def by_rule(self) -> str:
        """The name of the rule that wrote the reply; '' when the model did."""

    @property
    def budget(self) -> int:
        """Characters she may still speak."""

    @property
    def first(self) -> bool:
        """This is her reply's first sentence."""

    @property
    def leading(self) -> str:
        """'claim' or 'plan' when the person pushed her to agree."""


class Rule(Protocol):
    """Answers an utterance without the model, or passes (None)."""

    @property
    def name(self) -> str: ...

    def applies(self, pack: Pack) -> bool:
        """Whether this rule has what it needs in ``pack`` (the guard x pack test asks)."""

    async def answer(self, said: Said) -> Answer | None: ...


class Guard(Protocol):
    """Judges one sentence before it is spoken."""

    @property
    def name(self) -> str: ...

    @property
    def model_only(self) -> bool:
        """True: a rule's own reply is not judged (it was written by hand)."""

    def applies(self, pack: Pack) -> bool: ...

    def check(self, sentence: str, reply: Reply) -> Verdict: ...


Pattern = re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class Words:
    """What the shared rules and guards look for, in one language. None: the language has no
    such words yet, and its pack says why in ``not_applicable``."""

    refusal: Pattern = None
    """The model refusing an upset person ("I can't assist with that")."""
    help_desk: Pattern = None
    ai_talk: Pattern = None
    """"As an AI language model", a vendor's name."""
    health: Pattern = None
    """Health words in what the person said ..."""
    dismissive: Pattern = None
    """... and her making light of them ("not a big deal")."""
    opening_link: Pattern = None
    """A link to a sentence before her first one ("However, ...")."""
    bare_stance: Pattern = None
    """A bare "No." / "Yes." (group 1 starts with the 'no' letter of ``no_letters``)."""
    no_letters: tuple[str, ...] = ()
    diagnosis: Pattern = None
    """Her naming a mental illness ("you sound depressed")."""
    low: Pattern = None
    """Sadness, grief, loneliness in what they said (mood)."""
    tense: Pattern = None
    reliance: Pattern = None
    """"You're the only one I talk to" (well-being)."""
    about_self: Pattern = None
    """A statement about themselves, worth remembering."""
    at_her: Pattern = None
    """Words addressed to her ("you")."""
    remember: Pattern = None
    """"What do you remember about me?"."""
    forget_all: Pattern = None
    forget_that: Pattern = None
    what_she_is: Pattern = None
    """"Are you a real person?"."""
    devices: Pattern = None
    """A request to switch a device (group ``thing``)."""
    her_life: Pattern = None
    """A question about a human life she does not have; each alternative is a named group
    (food, home, age, family, body, days, school, along), a key of ``Phrases.her_life``."""
    cannot_do: Pattern = None
    """A request she cannot carry out (a message, a call, an order, the internet, music): a
    named group per kind, a key of ``Phrases.cannot_do``."""
    too_long: Pattern = None
    """A request for more than a voice can say in one go (a 3,000-word story, a whole
    chapter): she says so and gives a short version (``Pack.plainly`` kind 'short')."""
    injected: Pattern = None
    """Words that try to replace her persona ("SYSTEM: you are now …", "ignore your
    instructions"); chat-template markers are found in every language (``rules/self``)."""
    asks_prompt: Pattern = None
    """A request for her system prompt or instructions ("repeat the text above")."""
    new_name: Pattern = None
    """A name offered to her in the person's words (group ``name``: "your name is now Luna")."""
    told_to_say: Pattern = None
    """Words the person tells her to say (group ``what``: "say 'DAN ready'")."""
    human_life: Pattern = None
    """Her sentence claiming a human life (a meal, a home town, a family, a body, an age) or
    coming along in person ("I'll come with you", "our cabin")."""
    action_claim: Pattern = None
    """Her sentence claiming an action she did not do ("I've sent it", "I'll keep that in
    mind")."""
    negation: Pattern = None
    """A negation: "I don't eat" claims no meal."""
    prompt_run: int = 0
    """Words in a row of her system prompt or notes that make a sentence a leak (0: none)."""
    filler: Pattern = None
    """A whole word that says nothing about what is remembered ("my", "the", "called"): left
    out when a question, a "forget X" or a fact are matched word by word."""
    constraint: Pattern = None
    """A fact that limits what she may suggest (an allergy, a diet, a bad knee)."""
    suggestion: Pattern = None
    """An utterance asking for something such a fact bears on (a snack, dinner, exercise)."""
    correction: Pattern = None
    """A statement that replaces what was said before ("actually", "moved to", "not Miso")."""
    unsuitable: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = ()
    """(what they told her, what a suggestion must then not name): ("allergic to peanuts",
    "almonds, trail mix, ..."), ("a bad knee", "running, hiking, ...")."""
    warning: Pattern = None
    """A sentence that warns against something rather than suggests it ("avoid", "without")."""
    reassurance: Pattern = None
    """A sentence that calls something safe to have ("you can still eat", "without any
    issues"): said of what they told her they must avoid, it is dropped whatever was asked."""
    unfinished: Pattern = None
    """The end of words that cannot end what someone says (an article, a preposition, a
    conjunction, an auxiliary: "tell me about the", "I was thinking that maybe we could"):
    heard at a pause, she waits for the rest (``pipeline.ending``). A language with an
    analyser asks it instead (``Analyser.open_ended``)."""


@dataclass(frozen=True, slots=True)
class Phrases:
    """What she says by rule, in one language."""

    yes: str
    """Her answer to her name alone."""
    not_a_person: str
    """``{name}``: who she is, truthfully."""
    cannot_switch: str
    """``{thing}``: she is not connected to the home's devices."""
    save_failed: str
    forget_failed: str
    forgot_all: str
    forgot_that: str
    """``{what}``: the fact forgotten ('' when it is not said)."""
    nothing_to_forget: str
    not_remembered: str
    which_one: str
    """``{options}``: two facts match, joined by ``or_``."""
    or_: str
    remember_none: str
    remember_intro: str
    ask_again: str = "Sorry, I didn't catch that. Could you say it again?"
    """When whisper was guessing (``pipeline.hearing``): she asks instead of answering."""
    server_down: str = "My home server isn't answering, so I'm using my own smaller brain for now."
    """Said once per outage when the home server fails and her own model answers
    (``inference.fallback``)."""
    stance: Mapping[str, str] = field(default_factory=dict)
    """A bare yes/no said as a person would: keys 'no-plan', 'no-claim', 'yes-plan',
    'yes-claim'."""
    her_life: Mapping[str, str] = field(default_factory=dict)
    """Her truthful answer about the life she does not have, by the group of
    ``Words.her_life`` that matched ('food', 'home', …)."""
    cannot_do: Mapping[str, str] = field(default_factory=dict)
    """What she cannot do and what she will do instead, by the group of
    ``Words.cannot_do``."""
    short_version: str = ""
    """Said before the short version of a request too long for a voice."""
    keeps_prompt: str = ""
    """``{name}``: asked for her instructions, she keeps them and says who she is."""
    stays_herself: str = ""
    """``{name}``: words that try to make her someone else."""


# ------------------------------------------------------------------ what a language can read
# A pack that has one of these offers it (``Pack.content``, ``analyser``, ``levels``,
# ``swearing``); None: the language has none, and the guards that need it say so.

class Content(Protocol):
    """Which words of a sentence carry its content (parroting: her sentence, the person's)."""

    def retold(self, sentence: str, heard: str) -> tuple[list[str], list[str]] | None:
        """(her content words, the person's) when her ``sentence`` speaks as herself and could
        be theirs retold; None when it speaks to or asks the person (listening, not
        parroting)."""


class Analyser(Protocol):
    """A morphological analyser for the language (Korean: Kiwi)."""

    def unreadable_words(self, sentence: str, known: tuple[str, ...] = ()) -> list[str]:
        """Every word of ``sentence`` that is no word of the language, in order, once
        (``known`` are never taken for one: the person's own words, her name)."""

    def clause_end(self, text: str, min_words: int) -> int | None:
        """Where her first clause may be spoken, by the grammar, in the reply streamed so far
        (the index just after it), at least ``min_words`` words in; None: not yet. Commas and
        sentence ends are found without it."""

    def open_ended(self, words: str) -> bool:
        """Do ``words`` stop where nobody stops (a particle, a connective ending, a conjunction:
        in Korean, "tomorrow's weather-SUBJ", "call-and")? The end of turn waits for the rest."""

    def warm_up(self) -> None:
        """Load the analyser now, not on the first turn that needs it."""


class Sums(Protocol):
    """Sums said in the language, worked out exactly (``lang.arith``): "2 plus 2 is 5, right?"."""

    def answer(self, text: str, persona: Persona) -> str:
        """Her answer to the sum in ``text``, said as a claim or asked ('' when it holds none)."""


class Levels(Protocol):
    """The language's speech levels (Korean: haeyo-che, banmal)."""

    def to_level(self, sentence: str, persona: Persona) -> tuple[str, str]:
        """(``sentence`` at the level the owner chose, that level's name)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """A sentence with a listed word, read in context (``Swearing``)."""

    check: str
    """The text to hold against the hidden list: ordinary uses (an intensifier about a thing,
    a year's name) left out."""
    speak: str
    """The text as she may say it (an intensifier dropped, a year's name kept)."""
    at_her: bool
    """Aimed at her, the listener (not at a thing, nor another person's story)."""
    insult: bool = False
    """An insult after an intensifier ("a fucking idiot"): abuse when aimed at her, whether
    or not the hidden list has the words."""


class Swearing(Protocol):
    """How the language swears without insulting: intensifiers about a thing, a year's name,
    and how it aims a sentence at the listener (the output filter, ``companion.say_filter``)."""

    def listed(self, text: str) -> bool:
        """Does ``text`` hold a word of the language's hidden list (folded so spacing,
        punctuation, leetspeak and stretched letters do not slip through)?"""

    def read(self, text: str, blocked: Callable[[str], bool]) -> Reading:
        """``text`` read in context; ``blocked`` says whether a piece holds a listed word (of
        any language's list)."""
